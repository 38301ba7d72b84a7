#include "runtime/client/client.hpp"

#include <optional>

#include "runtime/client/session.hpp"
#include "runtime/client/shipment.hpp"
#include "runtime/common/file_bytes.hpp"
#include "runtime/common/log.hpp"
#include "runtime/common/sha256.hpp"
#include "runtime/ucx/memory.hpp"
#include "runtime/ucx/request.hpp"

namespace ferry {

namespace {
template <class Reply>
Reply expect(wire::Message&& message, const char* what) {
  Reply* reply = std::get_if<Reply>(&message);
  if (reply == nullptr) throw Error(Errc::protocol, std::string(what) + ": unexpected " + std::string(wire::message_name(message)));
  return std::move(*reply);
}

std::vector<std::byte> read_library(const std::string& path) {
  std::optional<std::vector<std::byte>> bytes = read_file_bytes(path);
  if (!bytes) throw Error(Errc::not_found, "library '" + path + "' cannot be read");
  return std::move(*bytes);
}
}  // namespace

// ---------------------------------------------------------------- Client

std::unique_ptr<Client> Client::create(ClientOptions options) {
  log::ensure_initialized("ferry client");
  return std::unique_ptr<Client>(new Client(std::make_shared<client::Session>(std::move(options))));
}

Client::~Client() = default;

std::string Client::manager_address() const { return session_->granter_address(); }

Lease Client::lease(const LeaseSpec& spec) {
  const std::string granter = session_->granter_address();
  const uint64_t id = session_->next_request_id();
  wire::LeaseRequest request{id, session_->options().owner, spec.cores, spec.memory_mib,
                             static_cast<uint32_t>(spec.duration.count()), spec.placement};
  const std::string credential_problem = session_->prove_owner(request);
  auto reply = expect<wire::LeaseReply>(session_->ask(granter, request, id, "requesting a lease"), "lease");
  if (reply.status == Errc::unauthorized && !credential_problem.empty()) {
    throw Error(reply.status, "lease refused: " + reply.error + "; " + credential_problem);
  }
  if (reply.status != Errc::ok) throw Error(reply.status, "lease refused: " + reply.error);
  return Lease(session_, granter, reply.token, reply.spawner_address);
}

std::string Client::status() {
  const uint64_t id = session_->next_request_id();
  auto reply = expect<wire::StatusReply>(
      session_->ask(session_->granter_address(), wire::StatusRequest{id}, id, "asking for status"), "status");
  return reply.json;
}

namespace {

/// Asks the manager about a name; returns the reply's port, or throws its error.
std::string ask_about_name(client::Session& session, wire::Message request, uint64_t id, const char* what) {
  if (!session.options().manager) {
    throw Error(Errc::invalid_argument, std::string(what) + ": MPI names need a manager; stand-alone spawners keep none");
  }
  auto reply = expect<wire::NameReply>(session.ask(*session.options().manager, request, id, what), what);
  if (reply.status != Errc::ok) throw Error(reply.status, reply.error);
  return reply.port;
}

}  // namespace

void Client::publish_name(const std::string& service, const std::string& port) {
  const uint64_t id = session_->next_request_id();
  ask_about_name(*session_, wire::NamePublish{id, session_->options().user, service, port}, id, "publishing a name");
}

std::string Client::lookup_name(const std::string& service) {
  const uint64_t id = session_->next_request_id();
  return ask_about_name(*session_, wire::NameLookup{id, session_->options().user, service}, id, "looking a name up");
}

void Client::unpublish_name(const std::string& service, const std::string& port) {
  const uint64_t id = session_->next_request_id();
  ask_about_name(*session_, wire::NameUnpublish{id, session_->options().user, service, port}, id,
                 "unpublishing a name");
}

Buffer Client::allocate_buffer(size_t size) {
  std::shared_ptr<ucx::MemoryRegion> region = ucx::MemoryRegion::allocate(session_->context(), size);
  Buffer buffer;
  buffer.data_ = region->data();
  buffer.size_ = size;
  buffer.memh_ = region->raw();
  buffer.region_ = std::move(region);
  return buffer;
}

static wire::SpawnReply spawn_on(client::Session& session, const std::string& spawner, wire::SpawnRequest request,
                                 const std::string& library_path) {
  request.request_id = session.next_request_id();
  auto reply = expect<wire::SpawnReply>(session.ask(spawner, request, request.request_id, "spawning"), "spawn");
  if (reply.need_library || !reply.need_files.empty()) {
    if (reply.need_library) request.library = read_library(library_path);
    client::fill_shipment_content(request.shipped, reply.need_files);
    request.request_id = session.next_request_id();
    reply = expect<wire::SpawnReply>(session.ask(spawner, request, request.request_id, "spawning"), "spawn");
  }
  if (reply.status != Errc::ok) throw Error(reply.status, "the spawner refused: " + reply.error);
  return reply;
}

static void connect_executor(client::Session& session, const std::shared_ptr<client::ExecutorState>& state,
                             const wire::SpawnReply& spawned) {
  std::weak_ptr<client::ExecutorState> weak = state;
  client::Session* owner = &session;
  auto on_failure = [owner, weak](ucs_status_t status) {
    if (auto executor = weak.lock()) owner->bury(*executor, std::string("connection lost: ") + ucs_status_string(status));
  };
  state->control = ucx::Endpoint::connect_to_worker(session.worker().shared_from_this(), spawned.executor_address);
  state->control->on_failure(on_failure);
  session.channel().send(state->control->raw(), wire::ExecutorHello{spawned.executor_key, state->functions});
  const wire::ExecutorWelcome welcome = session.await_welcome(*state->control);
  if (welcome.status != Errc::ok) throw Error(welcome.status, "the executor refused: " + welcome.error);
  // Each thread gets two endpoints. The first tracks peer failure, so UCX 1.13 moves large
  // data through the active-message lanes, which is fastest while both sides poll but
  // advances only while the caller progresses. The second, used for registered buffers,
  // does not: UCX then allows one-sided lanes (CMA here, RDMA on a cluster), and a large
  // input needs only an occasional Future::ready() from a caller that computes meanwhile.
  // A dead executor is noticed either way, by the control endpoint and the spawner.
  for (const auto& address : welcome.thread_addresses) {
    auto worker = session.data_worker().shared_from_this();
    state->threads.push_back(ucx::Endpoint::connect_to_worker(worker, address));
    state->threads.back()->on_failure(on_failure);
    state->one_sided_threads.push_back(ucx::Endpoint::connect_to_worker(worker, address, ucx::PeerFailure::untracked));
  }
  // The handshakes finish here, or a first invocation's request would wait in the client
  // until its caller next progresses.
  for (const auto* endpoints : {&state->threads, &state->one_sided_threads}) {
    for (const auto& endpoint : *endpoints) {
      ucx::complete(endpoint->flush(), session.waiter(), "connecting to an executor thread",
                    Deadline::after(session.options().timeout));
    }
  }
  state->outstanding.assign(state->threads.size(), 0);
}

Executor Client::allocate(Lease& lease, const ExecutorSpec& spec) {
  if (spec.functions.empty()) throw Error(Errc::invalid_argument, "an executor needs at least one function name");
  const std::vector<std::byte> library = read_library(spec.library);
  wire::SpawnRequest request;
  request.token = lease.token();
  request.cores = spec.cores != 0 ? spec.cores : lease.token().cores;
  request.memory_mib = spec.memory_mib != 0 ? spec.memory_mib : lease.token().memory_mib;
  request.kind = wire::SpawnKind::worker;
  request.wait_mode = static_cast<uint8_t>(spec.mode);
  request.library_hash = sha256_hex(library);

  auto state = std::make_shared<client::ExecutorState>();
  state->functions = spec.functions;
  state->lease_id = lease.id();
  const auto started = Clock::now();
  const wire::SpawnReply spawned = spawn_on(*session_, lease.spawner_address(), request, spec.library);
  state->executor_id = spawned.executor_id;
  state->pid = spawned.pid;
  state->spawner = session_->endpoint(lease.spawner_address()).raw();
  session_->track(state);
  Executor executor(session_, state);  // from here on, a failure stops the process
  const auto spawned_at = Clock::now();
  state->startup.spawn = spawned_at - started;
  connect_executor(*session_, state, spawned);
  state->startup.connect = Clock::now() - spawned_at;
  return executor;
}

Program Client::spawn(Lease& lease, const std::vector<std::string>& argv, const std::vector<std::string>& env,
                      uint32_t cores, const std::string& working_directory, std::vector<wire::ShippedFile> shipped) {
  wire::SpawnRequest request;
  request.token = lease.token();
  request.cores = cores;
  request.memory_mib = lease.token().memory_mib;
  request.kind = wire::SpawnKind::program;
  request.argv = argv;
  request.env = env;
  request.working_directory = working_directory;
  request.shipped = std::move(shipped);
  const wire::SpawnReply spawned = spawn_on(*session_, lease.spawner_address(), request, "");
  auto state = std::make_shared<client::ExecutorState>();
  state->executor_id = spawned.executor_id;
  state->lease_id = lease.id();
  state->pid = spawned.pid;
  state->spawner = session_->endpoint(lease.spawner_address()).raw();
  session_->track(state);
  return Program(session_, state);
}

// ---------------------------------------------------------------- Lease

Lease::Lease(std::shared_ptr<client::Session> session, std::string granter, lease::Token token, std::string spawner)
    : session_(std::move(session)), granter_(std::move(granter)), token_(std::move(token)),
      spawner_address_(std::move(spawner)) {}

Lease::Lease(Lease&&) noexcept = default;

Lease& Lease::operator=(Lease&& other) noexcept {
  if (this != &other) {
    release();
    session_ = std::move(other.session_);
    granter_ = std::move(other.granter_);
    token_ = std::move(other.token_);
    spawner_address_ = std::move(other.spawner_address_);
  }
  return *this;
}

Lease::~Lease() { release(); }

void Lease::release() {
  if (!session_) return;
  try {
    session_->channel().send(session_->endpoint(granter_).raw(), wire::LeaseRelease{token_.lease_id, token_.mac});
  } catch (const Error& error) {
    spdlog::debug("releasing lease {}: {}", token_.lease_id, error.what());
  }
  session_.reset();
}

void Lease::renew(std::chrono::milliseconds duration) {
  if (!session_) throw Error(Errc::expired, "lease " + std::to_string(token_.lease_id) + " was released");
  const uint64_t id = session_->next_request_id();
  const wire::LeaseRenew request{id, token_.lease_id, static_cast<uint32_t>(duration.count()), token_.mac};
  auto reply = expect<wire::LeaseReply>(session_->ask(granter_, request, id, "renewing a lease"), "renew");
  if (reply.status != Errc::ok) throw Error(reply.status, "renewal refused: " + reply.error);
  token_ = reply.token;
  if (granter_ != spawner_address_) {
    session_->channel().send(session_->endpoint(spawner_address_).raw(), wire::TokenUpdate{token_});
  }
}

}  // namespace ferry
