#pragma once
// The state behind a Client and its handles: one UCX worker, the control channel, the
// connections to the manager and spawners, the executors, and the invocation slots.

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "runtime/client/client.hpp"
#include "runtime/client/embedded_cluster.hpp"
#include "runtime/client/invocation_slots.hpp"
#include "runtime/ucx/endpoint.hpp"
#include "runtime/ucx/waiter.hpp"
#include "runtime/wire/control_channel.hpp"

namespace ferry::client {

/// What the client knows of one executor or program it started.
struct ExecutorState {
  uint64_t executor_id = 0;
  uint64_t lease_id = 0;
  int32_t pid = 0;
  ucp_ep_h spawner = nullptr;
  std::unique_ptr<ucx::Endpoint> control;             // to ferry-worker's main thread
  std::vector<std::unique_ptr<ucx::Endpoint>> threads;  // to each invocation thread
  // The same threads, for invocations from registered buffers (see connect_executor).
  std::vector<std::unique_ptr<ucx::Endpoint>> one_sided_threads;
  std::vector<uint32_t> outstanding;                   // invocations in flight per thread
  std::vector<std::string> functions;
  StartupTimes startup;
  bool dead = false;
  bool spawner_lost = false;  // the connection to its spawner failed
  std::string death_reason;
  std::optional<ProgramExit> exit;
};

class Session {
 public:
  explicit Session(ClientOptions options);
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  ~Session();

  const ClientOptions& options() const noexcept { return options_; }
  /// The worker of control traffic (manager, spawners, executors' main threads).
  ucx::Worker& worker() noexcept { return *worker_; }
  /// The worker of invocations, kept apart so the hot path progresses nothing else.
  ucx::Worker& data_worker() noexcept { return *data_worker_; }
  const std::shared_ptr<ucx::Context>& context() const noexcept { return context_; }
  ucx::Waiter& waiter() noexcept { return waiter_; }
  wire::ControlChannel& channel() noexcept { return *channel_; }
  InvocationSlots& slots() noexcept { return slots_; }

  /// Where leases come from: the manager, or the first stand-alone spawner.
  std::string granter_address() const;
  /// The connection to `address`, made on first use.
  ucx::Endpoint& endpoint(const std::string& address);
  uint64_t next_request_id() noexcept { return next_request_id_++; }
  /// Says who sends `request`: this process's uid, gid and user, and a munge credential
  /// bound to the request. Returns why there is no credential, or empty when there is one
  /// (or none is needed: the single-machine default proves nothing to itself).
  std::string prove_owner(wire::LeaseRequest& request);

  /// Connects to `address` and waits until the connection is made.
  std::unique_ptr<ucx::Endpoint> connect(const std::string& address);
  /// Sends `request` to `address` and waits for the reply carrying `request_id`.
  wire::Message ask(const std::string& address, const wire::Message& request, uint64_t request_id,
                    const char* what);
  /// Waits for the ExecutorWelcome on `control`.
  wire::ExecutorWelcome await_welcome(ucx::Endpoint& control);
  /// Progresses until `done()`, throwing Error(timeout) after the control timeout.
  template <class Done>
  void wait_for(Done&& done, const char* what);

  void track(const std::shared_ptr<ExecutorState>& executor);
  void untrack(const ExecutorState& executor);
  /// Marks an executor dead and fails its invocations in flight.
  void bury(ExecutorState& executor, const std::string& reason);

 private:
  void on_message(ucp_ep_h from, wire::Message&& message);
  void on_output(const wire::ExecutorOutput& output);
  void on_exit(ucp_ep_h from, const wire::ExecutorExit& exit);
  void record_exit(ExecutorState& executor, const wire::ExecutorExit& exit);
  void bury_executors_of(ucp_ep_h spawner, const std::string& reason);
  ucs_status_t on_result(const ucx::AmMessage& message);

  ClientOptions options_;
  std::unique_ptr<EmbeddedCluster> cluster_;
  std::shared_ptr<ucx::Context> context_;
  std::shared_ptr<ucx::Worker> worker_;
  std::shared_ptr<ucx::Worker> data_worker_;
  ucx::Waiter waiter_;
  std::unique_ptr<wire::ControlChannel> channel_;
  std::map<std::string, std::unique_ptr<ucx::Endpoint>> endpoints_;
  std::unordered_map<uint64_t, wire::Message> replies_;
  std::optional<wire::ExecutorWelcome> welcome_;
  std::map<std::pair<ucp_ep_h, uint64_t>, std::weak_ptr<ExecutorState>> executors_;
  std::map<std::pair<ucp_ep_h, uint64_t>, wire::ExecutorExit> early_exits_;
  std::set<std::pair<ucp_ep_h, uint64_t>> closed_;  // untracked before their exit arrived
  InvocationSlots slots_;
  uint64_t next_request_id_ = 1;
};

template <class Done>
void Session::wait_for(Done&& done, const char* what) {
  const bool finished = waiter_.wait_until(
      [&] {
        channel_->dispatch();
        return done();
      },
      Deadline::after(options_.timeout));
  if (!finished) {
    throw Error(Errc::timeout, std::string(what) + ": no answer within " +
                                   std::to_string(options_.timeout.count()) + " ms");
  }
}

}  // namespace ferry::client
