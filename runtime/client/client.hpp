#pragma once
// Ferry's C++ client API (function offload, rFaaS style):
//
//   auto client = ferry::Client::create({});            // no manager: single-machine default
//   ferry::Lease lease = client->lease({.cores = 2});
//   ferry::Executor executor = client->allocate(lease, {.library = "libfns.so", .functions = {"square"}});
//   int64_t n = executor.invoke(0, input, output);       // or invoke_async(...).get()
//
// A Client is used from one thread at a time; its handles (Lease, Executor, Future) keep
// it alive.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "runtime/lease/token.hpp"
#include "runtime/ucx/waiter.hpp"
#include "runtime/wire/messages.hpp"

namespace ferry {

namespace client {
class Session;
struct ExecutorState;
}  // namespace client

using ucx::WaitMode;

struct ClientOptions {
  /// host:port of a manager; none and no spawners means the single-machine default.
  std::optional<std::string> manager;
  /// host:port of stand-alone spawners that grant leases on themselves (no manager).
  std::vector<std::string> spawners;
  /// Who leases; "<host>:<pid>" by default.
  std::string owner;
  /// Whose MPI names this client publishes and sees: the effective user's login name by
  /// default. The manager takes it as given, like `owner`.
  std::string user;
  /// munged's socket for the credential that proves who leases: empty takes
  /// FERRY_MUNGE_SOCKET, then munge's default. Without munged, requests go without one.
  std::string munge_socket;
  /// How this client waits for replies and results (auto: chosen from who shares its cores).
  WaitMode mode = WaitMode::automatic;
  /// Bound on every control request (lease, spawn, connect).
  std::chrono::milliseconds timeout{10'000};
  /// Single-machine default only: cores to offer (0 = all) and ferry-worker's path
  /// (empty = FERRY_WORKER, then the build tree, then the install prefix).
  uint32_t embedded_cores = 0;
  std::string worker_executable;
};

struct LeaseSpec {
  uint32_t cores = 1;
  /// 0 asks for a fair share: the spawner's memory times `cores` over its cores.
  uint32_t memory_mib = 512;
  std::chrono::milliseconds duration{60'000};
  /// A spawner's id or a node's name to lease on; empty: wherever the manager chooses.
  std::string placement = {};
};

struct ExecutorSpec {
  std::string library;                  ///< path of the shared library to ship
  std::vector<std::string> functions;   ///< names to resolve; invoke() takes their index
  WaitMode mode = WaitMode::automatic;  ///< how the executor's threads wait (auto: each from its core)
  uint32_t cores = 0;                   ///< threads; 0 = every core of the lease
  uint32_t memory_mib = 0;              ///< 0 = all the lease's memory
};

/// How long each phase of starting an executor took.
struct StartupTimes {
  std::chrono::nanoseconds spawn{0};    ///< spawn request until the worker listens
  std::chrono::nanoseconds connect{0};  ///< connect, hello, and connecting to every thread
};

class Client;

/// A granted lease. Released when destroyed (or by release()).
class Lease {
 public:
  Lease(Lease&&) noexcept;
  Lease& operator=(Lease&&) noexcept;
  ~Lease();

  uint64_t id() const noexcept { return token_.lease_id; }
  const lease::Token& token() const noexcept { return token_; }
  const std::string& spawner_address() const noexcept { return spawner_address_; }
  /// Extends the lease to now + duration; the spawner learns the new expiry too.
  void renew(std::chrono::milliseconds duration);
  void release();

 private:
  friend class Client;
  Lease(std::shared_ptr<client::Session> session, std::string granter, lease::Token token, std::string spawner);
  std::shared_ptr<client::Session> session_;
  std::string granter_;  // who granted it: the manager or a stand-alone spawner
  lease::Token token_;
  std::string spawner_address_;
};

/// The result of an asynchronous invocation. Move-only; the destructor waits for it.
class Future {
 public:
  Future(Future&&) noexcept;
  Future& operator=(Future&&) noexcept;
  ~Future();
  /// True once the result has arrived (progresses the client once).
  bool ready();
  /// Waits; returns bytes written to the output buffer, or throws (function_failed,
  /// executor_dead, ...).
  int64_t get();

 private:
  friend class Executor;
  Future(std::shared_ptr<client::Session> session, uint32_t slot) : session_(std::move(session)), slot_(slot) {}
  std::shared_ptr<client::Session> session_;
  uint32_t slot_ = UINT32_MAX;
};

/// A registered buffer: reusable across invocations, zero-copy on RDMA. An input sent from
/// one moves by one-sided transfers, so a caller that computes while a large input is on
/// its way only needs to call Future::ready() now and then.
class Buffer {
 public:
  std::span<std::byte> span() const noexcept { return {static_cast<std::byte*>(data_), size_}; }
  void* data() const noexcept { return data_; }
  size_t size() const noexcept { return size_; }

 private:
  friend class Client;
  friend class Executor;
  std::shared_ptr<void> region_;  // the ucx::MemoryRegion
  void* data_ = nullptr;
  size_t size_ = 0;
  void* memh_ = nullptr;
};

/// A leased function host: one thread per core serving the functions named at allocation.
class Executor {
 public:
  Executor(Executor&&) noexcept;
  Executor& operator=(Executor&&) noexcept;
  /// Stops the executor's process.
  ~Executor();

  /// Runs function `index` on `input`, writing at most output.size() bytes; returns the
  /// bytes written. Throws Error(function_failed) when the function returns an error.
  int64_t invoke(uint32_t index, std::span<const std::byte> input, std::span<std::byte> output);
  /// Starts an invocation; both buffers must stay valid until the future completes.
  Future invoke_async(uint32_t index, std::span<const std::byte> input, std::span<std::byte> output);
  /// The same with registered buffers (`input_size` bytes of `input` are sent).
  Future invoke_async(uint32_t index, const Buffer& input, size_t input_size, Buffer& output);
  /// From a registered input buffer into any output memory.
  Future invoke_async(uint32_t index, const Buffer& input, size_t input_size, std::span<std::byte> output);
  /// Index of a function named at allocation; throws Error(not_found).
  uint32_t function(const std::string& name) const;

  bool alive() const;
  /// Why the executor is dead ("killed by signal 11", ...); empty while alive.
  std::string death_reason() const;
  size_t threads() const;
  int32_t pid() const;
  const StartupTimes& startup() const;

 private:
  friend class Client;
  Executor(std::shared_ptr<client::Session> session, std::shared_ptr<client::ExecutorState> state);
  Future start(uint32_t index, const void* input, size_t input_size, void* output, size_t output_capacity,
               void* input_memh);
  std::shared_ptr<client::Session> session_;
  std::shared_ptr<client::ExecutorState> state_;
};

/// A program started by a spawner under a lease (the MPI shim's function ranks).
struct ProgramExit {
  int32_t exit_code = 0;
  int32_t signal = 0;
  std::string reason;
  wire::Usage usage;
};

class Program {
 public:
  Program(Program&&) noexcept;
  Program& operator=(Program&&) noexcept;
  ~Program();
  int32_t pid() const;
  /// Waits for the program to end; empty when `timeout` passed first.
  std::optional<ProgramExit> wait(std::chrono::milliseconds timeout);
  void kill();

 private:
  friend class Client;
  Program(std::shared_ptr<client::Session> session, std::shared_ptr<client::ExecutorState> state);
  std::shared_ptr<client::Session> session_;
  std::shared_ptr<client::ExecutorState> state_;
};

class Client {
 public:
  /// Connects (or, with no manager and no spawners, starts the single-machine default).
  static std::unique_ptr<Client> create(ClientOptions options);
  ~Client();

  /// Leases cores; throws Error(no_resources | unreachable | timeout ...).
  Lease lease(const LeaseSpec& spec);
  /// Starts an executor under `lease` and connects to all of its threads.
  Executor allocate(Lease& lease, const ExecutorSpec& spec);
  /// Starts a program under `lease`; its output is written to this process's streams.
  /// It runs in `working_directory` (an absolute path on the spawner's node), or in the
  /// lease's own directory when that is empty.
  /// With `shipped` files (client::program_shipment of argv[0]), the spawner runs its own
  /// copies of those its node lacks, asking for their content when it has not cached it,
  /// and a working directory missing on its node becomes the lease's directory.
  Program spawn(Lease& lease, const std::vector<std::string>& argv, const std::vector<std::string>& env = {},
                uint32_t cores = 1, const std::string& working_directory = {},
                std::vector<wire::ShippedFile> shipped = {});
  /// Allocates a registered buffer.
  Buffer allocate_buffer(size_t size);
  /// The manager's (or first spawner's) view of spawners and leases, as JSON text.
  std::string status();
  /// Where the manager listens (the embedded one in the single-machine default).
  std::string manager_address() const;

  /// MPI names (MPI_Publish_name and friends), kept by the manager for `ClientOptions::user`
  /// while this client stays connected. Stand-alone spawners keep no names: without a
  /// manager they throw Error(invalid_argument).
  /// Throws Error(invalid_argument) when `service` is published already.
  void publish_name(const std::string& service, const std::string& port);
  /// The port published as `service`; throws Error(not_found).
  std::string lookup_name(const std::string& service);
  /// Throws Error(not_found) unless `service` is published as `port`.
  void unpublish_name(const std::string& service, const std::string& port);

 private:
  explicit Client(std::shared_ptr<client::Session> session) : session_(std::move(session)) {}
  std::shared_ptr<client::Session> session_;
};

}  // namespace ferry
