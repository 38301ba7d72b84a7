#include "test/integration/raw_peer.hpp"

#include "runtime/common/error.hpp"
#include "runtime/common/hex.hpp"
#include "runtime/ucx/request.hpp"

namespace ferry::test {

RawPeer::RawPeer()
    : context_(ucx::Context::create()),
      worker_(ucx::Worker::create(context_)),
      waiter_(*worker_, ucx::WaitMode::warm) {
  channel_ = std::make_unique<wire::ControlChannel>(
      worker_, [this](ucp_ep_h, wire::Message&& message) { inbox_.push_back(std::move(message)); });
}

RawPeer::~RawPeer() {
  endpoints_.clear();
  channel_.reset();
}

ucx::Endpoint& RawPeer::endpoint(const std::string& address) {
  auto found = endpoints_.find(address);
  if (found == endpoints_.end()) {
    found = endpoints_.emplace(address, ucx::Endpoint::connect(worker_, ucx::SocketAddress::parse(address))).first;
  }
  return *found->second;
}

bool RawPeer::failed(const std::string& address) {
  worker_->progress();
  return endpoint(address).failed();
}

bool RawPeer::pump(std::chrono::milliseconds deadline, const std::function<bool()>& done) {
  return waiter_.wait_until(
      [&] {
        channel_->dispatch();
        return done();
      },
      Deadline::after(deadline));
}

void RawPeer::send(const std::string& address, const wire::Message& message) {
  if (!channel_->send(endpoint(address).raw(), message)) {
    throw Error(Errc::unreachable, "raw peer: cannot send to " + address);
  }
}

void RawPeer::send_to_worker(std::span<const std::byte> address, const wire::Message& message) {
  const std::string key = to_hex(address);
  auto found = endpoints_.find(key);
  if (found == endpoints_.end()) {
    found = endpoints_.emplace(key, ucx::Endpoint::connect_to_worker(worker_, address)).first;
  }
  if (!channel_->send(found->second->raw(), message)) throw Error(Errc::unreachable, "raw peer: cannot send to a worker");
}

void RawPeer::send_bytes(const std::string& address, std::span<const std::byte> bytes) {
  ucs_status_ptr_t request = endpoint(address).send_am(wire::am_control, {}, bytes.data(), bytes.size());
  const ucs_status_t status = ucx::wait_request(request, waiter_, Deadline::after(std::chrono::seconds(5)));
  if (status != UCS_OK) {
    throw Error(Errc::transport, std::string("raw peer: sending bytes failed: ") + ucs_status_string(status));
  }
}

std::optional<std::string> RawPeer::status(const std::string& address, std::chrono::milliseconds deadline) {
  const uint64_t id = next_id();
  send(address, wire::StatusRequest{id});
  const auto reply = await<wire::StatusReply>(id, deadline);
  if (!reply) return std::nullopt;
  return reply->json;
}

}  // namespace ferry::test
