#pragma once
// The spawner daemon (the rFaaS executor manager): verifies lease tokens, starts
// executors pinned to leased cores under the leased memory, forwards their output,
// reports their exit and usage, and ends them when their lease ends or their owner
// goes away. It sleeps until a message, a child or a timer wakes it.

#include <unistd.h>

#include <atomic>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "runtime/common/event_loop.hpp"
#include "runtime/lease/lease_table.hpp"
#include "runtime/ucx/endpoint.hpp"
#include "runtime/ucx/listener.hpp"
#include "runtime/wire/control_channel.hpp"
#include "runtime/wire/silent_connections.hpp"
#include "spawner/daemon/cpu_pool.hpp"
#include "spawner/daemon/executor.hpp"
#include "spawner/daemon/lease_book.hpp"
#include "spawner/daemon/library_cache.hpp"
#include "spawner/daemon/shipped_files.hpp"
#include "spawner/daemon/settings.hpp"
#include "spawner/daemon/warm_pool.hpp"
#include "spawner/process/cgroup.hpp"

namespace ferry::spawner {

class Spawner {
 public:
  /// Binds the listener and, with a manager, starts registering; address() is valid after.
  explicit Spawner(Settings settings);
  Spawner(const Spawner&) = delete;
  Spawner& operator=(const Spawner&) = delete;
  /// Kills and reaps every executor and removes the working directories.
  ~Spawner();

  const ucx::SocketAddress& address() const noexcept { return listener_->address(); }
  const Settings& settings() const noexcept { return settings_; }
  void run() { loop_.run(); }
  void stop() { loop_.stop(); }
  /// The node is being reclaimed (SIGTERM): no more spawns; every executor ends with a
  /// reason naming the node, its owner hears why, and run() returns once all have exited
  /// (at most the grace period and a second later). Thread-safe.
  void wind_down();

 private:
  void accept(ucp_conn_request_h request);
  void forget_peer(ucp_ep_h handle);
  void handle(ucp_ep_h from, wire::Message&& message);

  // manager link
  void connect_to_manager();
  void register_when_connected(ucs_status_ptr_t flushing);
  void on_register_reply(const wire::RegisterReply& reply);
  void send_heartbeat();
  void report_usage(uint64_t lease_id, uint64_t executor_id, const wire::Usage& usage);
  /// Sends a usage report to the manager; false when there is no connection to it.
  bool send_usage(const wire::UsageReport& report);

  // leases
  void on_lease_request(ucp_ep_h from, const wire::LeaseRequest& request);
  void on_lease_renew(ucp_ep_h from, const wire::LeaseRenew& request);
  void on_token_update(const wire::TokenUpdate& update);
  void schedule_expiry(uint64_t lease_id);
  void on_lease_timer(uint64_t lease_id);
  void end_lease(uint64_t lease_id, const std::string& reason);
  /// The lease's cgroup, made on first use; none when cgroups cannot be used.
  const LeaseCgroup* lease_cgroup(const lease::Token& token);
  /// Puts the process in its lease's cgroup, or limits its memory with RLIMIT_DATA.
  void limit_memory(ProcessSpec& spec, const wire::SpawnRequest& request);
  /// Removes an ended lease's directory and cgroup once none of its executors is left.
  void remove_directory_if_done(uint64_t lease_id);

  // executors
  void on_spawn_request(ucp_ep_h from, const wire::SpawnRequest& request);
  void start_executor(ucp_ep_h from, const wire::SpawnRequest& request, std::vector<int> cpus,
                      const std::optional<ProcessIdentity>& identity);
  ProcessSpec worker_spec(const wire::SpawnRequest& request, const std::vector<int>& cpus,
                          const std::vector<std::byte>& key, int status_fd, int library_fd,
                          const std::optional<ProcessIdentity>& identity);
  /// Makes a warm worker the executor: applies the lease's limits and hands it the
  /// library, key, cores and directory. False (the worker is killed) when it is gone.
  bool start_on_warm_worker(Executor& executor, WarmWorker& warm, const wire::SpawnRequest& request,
                            int library_fd);
  ProcessSpec program_spec(const wire::SpawnRequest& request, const std::vector<int>& cpus,
                           const std::optional<ProcessIdentity>& identity);
  void watch_executor(Executor& executor);
  void on_output(uint64_t executor_id, wire::Stream stream);
  void on_status(uint64_t executor_id);
  void on_exit(uint64_t executor_id);
  void report_exit(Executor& executor, const ExitStatus& status);
  /// wind_down() was called, or a SIGTERM/SIGINT for this process waits to be read.
  bool told_to_stop() const;
  void reply_spawned(Executor& executor, const std::vector<std::byte>& address);
  void reply_failed(Executor& executor, const std::string& error);
  void terminate(Executor& executor, const std::string& reason);
  void end_all_executors();
  void forward_lines(const Executor& executor, wire::Stream stream, std::string lines);
  Executor* find_executor(uint64_t executor_id);
  /// What `ferry status` and load tests see of this spawner (a stand-alone one adds its
  /// lease table).
  nlohmann::json status_json() const;

  Settings settings_;
  EventLoop loop_;
  std::shared_ptr<ucx::Context> context_;
  std::shared_ptr<ucx::Worker> worker_;
  std::unique_ptr<wire::ControlChannel> channel_;
  std::unique_ptr<ucx::Listener> listener_;
  std::unordered_map<ucp_ep_h, std::unique_ptr<ucx::Endpoint>> peers_;
  wire::SilentConnections silent_;
  std::unique_ptr<ucx::Endpoint> manager_;
  std::optional<lease::LeaseTable> own_leases_;  ///< stand-alone mode only
  LeaseBook book_;
  CpuPool cpus_;
  LibraryCache libraries_;  ///< function libraries and shipped programs' files
  ShippedFiles shipped_{libraries_};
  CgroupSupport cgroups_;  ///< where lease cgroups go; none: RLIMIT_DATA limits memory
  std::map<uint64_t, std::unique_ptr<LeaseCgroup>> lease_cgroups_;
  std::map<uint64_t, Executor> executors_;
  /// Warm workers run as the spawner's user: none for a root spawner that runs no root executor.
  WarmPool warm_pool_{loop_, settings_.worker_executable,
                      ::geteuid() == 0 && !settings_.allow_root_owner ? 0U : settings_.warm_workers};
  std::map<uint64_t, EventLoop::TimerId> lease_timers_;
  std::optional<EventLoop::TimerId> heartbeat_timer_;
  std::unordered_map<ucp_ep_h, std::vector<uint64_t>> leases_of_peer_;  ///< stand-alone mode only
  /// Usage to report once the manager is back (bounded; the oldest go first).
  std::deque<wire::UsageReport> unreported_;
  /// What this spawner has told the manager it used, over its whole life.
  wire::Usage usage_reported_;
  uint64_t executors_reported_ = 0;
  uint64_t next_executor_id_ = 1;
  bool winding_down_ = false;
  std::atomic<bool> stop_requested_{false};  ///< set by wind_down() from any thread
};

}  // namespace ferry::spawner
