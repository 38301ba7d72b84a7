#include "runtime/client/session.hpp"

#include <pwd.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "runtime/common/log.hpp"
#include "runtime/lease/lease_owner.hpp"
#include "runtime/lease/munge_credential.hpp"
#include "runtime/common/overloaded.hpp"
#include "runtime/ucx/request.hpp"
#include "runtime/common/host_name.hpp"

namespace ferry::client {

namespace {
std::string default_owner() {
  return host_name() + ":" + std::to_string(::getpid());
}

std::string default_user() {
  std::vector<char> buffer(16384);
  passwd entry{};
  passwd* found = nullptr;
  if (::getpwuid_r(::geteuid(), &entry, buffer.data(), buffer.size(), &found) == 0 && found != nullptr) {
    return found->pw_name;
  }
  return "uid " + std::to_string(::geteuid());
}

uint64_t reply_id(const wire::Message& message) {
  return std::visit(Overloaded{[](const wire::LeaseReply& m) { return m.request_id; },
                               [](const wire::SpawnReply& m) { return m.request_id; },
                               [](const wire::StatusReply& m) { return m.request_id; },
                               [](const wire::NameReply& m) { return m.request_id; },
                               [](const auto&) { return uint64_t{0}; }},
                    message);
}

void write_all(FILE* stream, const std::string& data) {
  std::fwrite(data.data(), 1, data.size(), stream);
  std::fflush(stream);
}
}  // namespace

Session::Session(ClientOptions options)
    : options_(std::move(options)),
      cluster_(!options_.manager && options_.spawners.empty()
                   ? std::make_unique<EmbeddedCluster>(options_.embedded_cores, options_.worker_executable)
                   : nullptr),
      context_(ucx::Context::create()),
      worker_(ucx::Worker::create(context_)),
      data_worker_(ucx::Worker::create(context_)),
      waiter_(*data_worker_, options_.mode, worker_.get()) {
  if (options_.owner.empty()) options_.owner = default_owner();
  if (options_.user.empty()) options_.user = default_user();
  if (cluster_) options_.manager = cluster_->manager_address();
  channel_ = std::make_unique<wire::ControlChannel>(
      worker_, [this](ucp_ep_h from, wire::Message&& message) { on_message(from, std::move(message)); });
  data_worker_->set_am_handler(wire::am_result, [this](const ucx::AmMessage& message) { return on_result(message); });
}

Session::~Session() {
  executors_.clear();
  endpoints_.clear();
  channel_.reset();
  cluster_.reset();
}

std::string Session::prove_owner(wire::LeaseRequest& request) {
  request.claimed_uid = static_cast<uint32_t>(::geteuid());
  request.claimed_gid = static_cast<uint32_t>(::getegid());
  request.claimed_user = lease::user_name_of(request.claimed_uid);
  if (cluster_) return {};
  try {
    request.credential = lease::encode_munge_credential(lease::munge_socket_path(options_.munge_socket),
                                                        lease::lease_request_payload(request));
    return {};
  } catch (const Error& error) {
    spdlog::debug("lease request {} goes without a munge credential: {}", request.request_id, error.what());
    return error.what();
  }
}

std::string Session::granter_address() const {
  return options_.manager ? *options_.manager : options_.spawners.front();
}

ucx::Endpoint& Session::endpoint(const std::string& address) {
  auto found = endpoints_.find(address);
  if (found != endpoints_.end() && found->second->failed()) {
    endpoints_.erase(found);
    found = endpoints_.end();
  }
  if (found == endpoints_.end()) {
    auto endpoint = connect(address);
    const ucp_ep_h handle = endpoint->raw();
    endpoint->on_failure([this, handle, address](ucs_status_t status) {
      bury_executors_of(handle, "lost the connection to " + address + ": " + ucs_status_string(status));
    });
    found = endpoints_.emplace(address, std::move(endpoint)).first;
  }
  return *found->second;
}

// UCX 1.13 may fail a message queued on an endpoint that is still being wired up
// ("Invalid am_short_iov length"), so nothing is sent before the connection is made.
std::unique_ptr<ucx::Endpoint> Session::connect(const std::string& address) {
  auto endpoint = ucx::Endpoint::connect(worker_, ucx::SocketAddress::parse(address));
  const std::string what = "connecting to " + address;
  ucx::complete(endpoint->flush(), waiter_, what, Deadline::after(options_.timeout));
  if (endpoint->failed()) throw Error(Errc::unreachable, what + ": " + ucs_status_string(endpoint->failure()));
  return endpoint;
}

void Session::bury_executors_of(ucp_ep_h spawner, const std::string& reason) {
  for (const auto& [key, weak] : executors_) {
    if (key.first != spawner) continue;
    if (const auto executor = weak.lock()) {
      executor->spawner_lost = true;
      bury(*executor, reason);
    }
  }
}

wire::Message Session::ask(const std::string& address, const wire::Message& request, uint64_t request_id,
                           const char* what) {
  ucx::Endpoint& peer = endpoint(address);
  if (!channel_->send(peer.raw(), request)) {
    throw Error(Errc::unreachable, std::string(what) + ": cannot send to " + address);
  }
  const std::string label = std::string(what) + " (" + address + ")";
  wait_for([&] { return replies_.contains(request_id) || peer.failed(); }, label.c_str());
  const auto reply = replies_.find(request_id);
  if (reply == replies_.end()) {
    throw Error(Errc::unreachable, label + ": " + ucs_status_string(peer.failure()));
  }
  wire::Message message = std::move(reply->second);
  replies_.erase(reply);
  return message;
}

wire::ExecutorWelcome Session::await_welcome(ucx::Endpoint& control) {
  welcome_.reset();
  wait_for([&] { return welcome_.has_value() || control.failed(); }, "connecting to the executor");
  if (!welcome_) {
    throw Error(Errc::executor_dead, std::string("the executor closed the connection: ") +
                                         ucs_status_string(control.failure()));
  }
  wire::ExecutorWelcome welcome = std::move(*welcome_);
  welcome_.reset();
  return welcome;
}

void Session::on_message(ucp_ep_h from, wire::Message&& message) {
  if (const uint64_t id = reply_id(message); id != 0) {
    replies_.emplace(id, std::move(message));
    return;
  }
  std::visit(Overloaded{[&](const wire::ExecutorOutput& m) { on_output(m); },
                        [&](const wire::ExecutorExit& m) { on_exit(from, m); },
                        [&](const wire::ExecutorWelcome& m) { welcome_ = m; },
                        [&](const auto& other) {
                          spdlog::warn("client: unexpected {} ignored", wire::message_name(other));
                        }},
             message);
}

void Session::on_output(const wire::ExecutorOutput& output) {
  write_all(output.stream == wire::Stream::out ? stdout : stderr, output.data);
}

void Session::on_exit(ucp_ep_h from, const wire::ExecutorExit& exit) {
  const auto found = executors_.find({from, exit.executor_id});
  const auto executor = found == executors_.end() ? nullptr : found->second.lock();
  if (!executor) {
    // An exit of a closed executor is dropped; one that overtook its spawn reply is kept.
    if (closed_.erase({from, exit.executor_id}) == 0) early_exits_[{from, exit.executor_id}] = exit;
    return;
  }
  record_exit(*executor, exit);
}

void Session::record_exit(ExecutorState& executor, const wire::ExecutorExit& exit) {
  executor.exit = ProgramExit{exit.exit_code, exit.signal, exit.reason, exit.usage};
  std::string reason = exit.signal != 0 ? "killed by signal " + std::to_string(exit.signal) + " (" + strsignal(exit.signal) + ")"
                                        : "exited with code " + std::to_string(exit.exit_code);
  if (!exit.reason.empty()) reason += ": " + exit.reason;
  bury(executor, reason);
}

void Session::track(const std::shared_ptr<ExecutorState>& executor) {
  const std::pair key{executor->spawner, executor->executor_id};
  executors_[key] = executor;
  if (const auto early = early_exits_.find(key); early != early_exits_.end()) {
    record_exit(*executor, early->second);
    early_exits_.erase(early);
  }
}

void Session::untrack(const ExecutorState& executor) {
  executors_.erase({executor.spawner, executor.executor_id});
  if (!executor.exit) closed_.insert({executor.spawner, executor.executor_id});
}

void Session::bury(ExecutorState& executor, const std::string& reason) {
  if (executor.dead) return;
  executor.dead = true;
  executor.death_reason = reason;
  for (uint32_t index = 0; index < slots_.size(); ++index) {
    InvocationSlot& slot = slots_[index];
    if (slot.executor == &executor && slot.state != InvocationSlot::State::free &&
        slot.state != InvocationSlot::State::done) {
      slot.state = InvocationSlot::State::done;
      slot.result = wire::result_executor_dead;
    }
  }
}

ucs_status_t Session::on_result(const ucx::AmMessage& message) {
  const auto header = wire::read_header<wire::ResultHeader>(message.header);
  InvocationSlot* slot = header ? slots_.find(header->invocation_id) : nullptr;
  if (slot == nullptr) {
    spdlog::warn("dropped a result that matches no invocation in flight");
    return UCS_OK;
  }
  slot->result = header->result;
  if (header->result < 0) {
    slot->state = InvocationSlot::State::done;
    return UCS_OK;
  }
  if (message.length > slot->capacity || static_cast<uint64_t>(header->result) != message.length) {
    slot->result = wire::result_output_overflow;
    slot->state = InvocationSlot::State::done;
    return UCS_OK;
  }
  if (!message.is_rendezvous) {
    if (message.length > 0) std::memcpy(slot->output, message.data, message.length);
    slot->state = InvocationSlot::State::done;
    return UCS_OK;
  }
  ucp_request_param_t param{};
  slot->receive = ucp_am_recv_data_nbx(data_worker_->raw(), message.data, slot->output, message.length, &param);
  slot->state = UCS_PTR_IS_ERR(slot->receive) ? InvocationSlot::State::done : InvocationSlot::State::receiving;
  if (UCS_PTR_IS_ERR(slot->receive)) {
    slot->result = wire::result_bad_request;
    slot->receive = nullptr;
  }
  return UCS_OK;
}

}  // namespace ferry::client
