#include "mpi_shim/transport.hpp"

#include <chrono>
#include <string>

#include "mpi_shim/peer_address.hpp"
#include "mpi_shim/rank_placement.hpp"
#include "runtime/common/error.hpp"
#include "runtime/ucx/request.hpp"

namespace ferry::mpi {

namespace {

std::unique_ptr<Transport> installed;

}  // namespace

Transport::Transport(ucx::WaitMode mode, int world_size)
    : context_(ucx::Context::create()),
      worker_(ucx::Worker::create(context_)),
      mode_(mode),
      // Until the world is up and the ranks know who shares their cores, the default
      // waits as on shared cores: start-up must not spin against the ranks it waits for.
      waiter_(*worker_, mode == ucx::WaitMode::automatic ? ucx::WaitMode::adaptive : mode, nullptr,
              mode == ucx::WaitMode::automatic),
      endpoints_(size_t(world_size)),
      node_(own_placement().node),
      address_(with_node(worker_->address(), node_)) {}

Transport::~Transport() {
  endpoints_.clear();
}

namespace {

std::string key_of(const std::vector<std::byte>& address) {
  return {reinterpret_cast<const char*>(address.data()), address.size()};
}

}  // namespace

void Transport::set_addresses(std::vector<std::vector<std::byte>> addresses) {
  addresses_ = std::move(addresses);
  endpoints_.resize(addresses_.size());
  index_of_address_.clear();
  for (size_t i = 0; i < addresses_.size(); ++i) {
    if (!addresses_[i].empty()) index_of_address_.emplace(key_of(addresses_[i]), int(i));
  }
}

void Transport::set_address(int index, std::vector<std::byte> address) {
  if (size_t(index) >= addresses_.size()) {
    addresses_.resize(size_t(index) + 1);
    endpoints_.resize(size_t(index) + 1);
  }
  if (addresses_[size_t(index)] == address) return;
  index_of_address_.emplace(key_of(address), index);
  addresses_[size_t(index)] = std::move(address);
}

int Transport::process_of(const std::vector<std::byte>& address) {
  const auto [found, added] = index_of_address_.emplace(key_of(address), int(addresses_.size()));
  if (added) {
    addresses_.push_back(address);
    endpoints_.emplace_back();
  }
  return found->second;
}

int Transport::known_process(const std::vector<std::byte>& address) const {
  const auto found = index_of_address_.find(key_of(address));
  return found == index_of_address_.end() ? -1 : found->second;
}

ucp_ep_h Transport::endpoint(int index) {
  auto& slot = endpoints_[size_t(index)];
  if (!slot) {
    if (addresses_[size_t(index)].empty()) {
      throw Error(Errc::invalid_argument, "no address is known for process " + std::to_string(index));
    }
    // A rank that fails ends the job through its owner or its launcher, not through here.
    // A peer on another node may end first when the job does, while this endpoint still
    // flushes: there a failure is tracked (and goes unreported); on this node the endpoint
    // keeps every transport, one-sided shared memory included.
    const PeerAddress peer = split_peer_address(addresses_[size_t(index)]);
    const bool elsewhere = peer.node && *peer.node != node_;
    slot = ucx::Endpoint::connect_to_worker(worker_, peer.worker,
                                            elsewhere ? ucx::PeerFailure::reported : ucx::PeerFailure::untracked);
  }
  return slot->raw();
}

void Transport::close_endpoints() {
  std::vector<ucs_status_ptr_t> closing;
  for (auto& endpoint : endpoints_) {
    if (endpoint) closing.push_back(endpoint->begin_close());
  }
  const ferry::Deadline deadline = ferry::Deadline::after(std::chrono::seconds(1));
  for (const ucs_status_ptr_t request : closing) ucx::wait_request(request, waiter_, deadline);
  endpoints_.clear();
  endpoints_.resize(addresses_.size());
}

std::unique_ptr<ucx::Endpoint> Transport::connect_tracked(std::span<const std::byte> address) {
  return ucx::Endpoint::connect_to_worker(worker_, split_peer_address(address).worker, ucx::PeerFailure::reported);
}

Transport& transport() noexcept { return *installed; }
void install_transport(std::unique_ptr<Transport> transport) { installed = std::move(transport); }
void remove_transport() noexcept { installed.reset(); }

}  // namespace ferry::mpi
