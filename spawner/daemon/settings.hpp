#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "runtime/lease/lease_owner.hpp"
#include "runtime/lease/secret.hpp"
#include "runtime/ucx/socket_address.hpp"

namespace ferry::spawner {

/// Everything `ferry spawner` is told on its command line (or by the embedded default).
struct Settings {
  std::string id;  ///< unique name of this spawner; the host name by default
  std::string node;  ///< name of the node it serves; the host name by default
  /// Why its executors end when it is told to stop (SIGTERM): its node is being reclaimed.
  std::string reclaim_reason;
  ucx::SocketAddress listen{"127.0.0.1", 0};
  /// The manager to register with; without one the spawner grants leases on itself.
  std::optional<ucx::SocketAddress> manager;
  lease::Secret secret;
  /// Its peers are processes of its own user only (the single-machine default), so UCX's
  /// shared-memory transports may serve them; other users cannot map them.
  bool same_user_peers = false;
  /// Stand-alone only: how the owner of a lease request is established.
  lease::OwnerCheck owner_check;
  /// A spawner run as root runs no executor as root unless this allows it.
  bool allow_root_owner = false;
  std::vector<int> cpus;        ///< CPUs to lease out; all this process may use by default
  uint32_t memory_mib = 0;      ///< memory to lease out; physical memory by default
  std::string worker_executable;  ///< path of ferry-worker
  std::string work_root;        ///< per-lease working directories go below it
  /// The cgroup v2 directory lease cgroups go in; empty: this process's own cgroup,
  /// if it may; "none": never (RLIMIT_DATA only).
  std::string cgroup;
  /// With cgroups: each lease's CPU time per period, in percent of its cores; 0: no quota.
  uint32_t cpu_quota_percent = 0;
  /// Memory for shipped files kept by hash (function libraries, programs and their
  /// libraries); the least recently used go beyond it.
  uint32_t file_cache_mib = 1024;
  std::chrono::milliseconds grace{1000};  ///< SIGTERM to SIGKILL
  /// ferry-workers kept started and waiting for a function executor (the executor's user
  /// must be the spawner's own; a root spawner keeps them only with allow_root_owner);
  /// 0: every executor starts cold.
  unsigned warm_workers = 1;
  /// Start them with the spawner; otherwise once it has run a function executor (a
  /// spawner that only runs programs never pays for them).
  bool warm_at_start = false;
  /// A connection that sends nothing for this long after it is made is closed.
  std::chrono::milliseconds silent_connection_timeout{std::chrono::seconds(30)};
};

/// Fills the defaults that depend on the machine (id, node, reclaim reason, cpus, memory,
/// work root).
void apply_machine_defaults(Settings& settings);

/// Makes `cpus` lease out `cores` cores (0 leaves it as it is): fewer takes the first ones,
/// more repeats the list, so a CPU is leased to several executors (oversubscription).
void fit_cpus_to_cores(std::vector<int>& cpus, uint32_t cores);

}  // namespace ferry::spawner
