#pragma once
// The daemons a soak loads: one `ferry manager` and N `ferry spawner`s on loopback, each a
// real process, and what can be read of them from outside: /proc and their status.

#include <signal.h>
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/soak/process_resources.hpp"
#include "runtime/client/client.hpp"
#include "test/support/daemons.hpp"

namespace ferry::soak {

/// The daemons' resources and views at one moment.
struct Snapshot {
  ProcessResources manager;
  ProcessResources spawners;  ///< summed over every spawner
  uint64_t lease_directories = 0;
  uint64_t manager_connections = 0;
  uint64_t spawner_connections = 0;  ///< summed
  nlohmann::json manager_status;
  std::vector<nlohmann::json> spawner_statuses;
  /// What spawners killed since the start had reported ("executors", "wall_ns", ...): the
  /// manager keeps billing it, their successors start from zero.
  std::map<std::string, uint64_t> reported_by_killed_spawners;
  /// Leases active on a spawner when it was killed: the manager revokes them.
  std::set<uint64_t> leases_of_killed_spawners;
};

class SoakCluster {
 public:
  SoakCluster(size_t spawners, uint32_t cores_per_spawner);
  SoakCluster(const SoakCluster&) = delete;
  SoakCluster& operator=(const SoakCluster&) = delete;
  ~SoakCluster();

  std::string manager_address() const { return manager_->address(); }
  size_t spawner_count() const noexcept { return spawners_.size(); }
  uint32_t total_cores() const noexcept { return static_cast<uint32_t>(spawners_.size()) * cores_per_spawner_; }
  /// Children of every spawner now (the executors alive).
  uint64_t executor_processes() const;
  pid_t spawner_pid(size_t index) const { return spawners_.at(index)->pid(); }
  pid_t manager_pid() const { return manager_->pid(); }

  /// SIGKILL to the manager; after `down`, a new one on the same address and state file.
  /// Returns once every spawner has registered with it again.
  void restart_manager(std::chrono::milliseconds down);
  /// SIGKILL to a spawner (its usage so far, and its active leases, are remembered first).
  void kill_spawner(size_t index);
  /// A new spawner with the killed one's id and work root; returns once it has registered.
  void restart_spawner(size_t index);
  void stop_spawner(size_t index) { spawners_.at(index)->signal(SIGSTOP); }
  void continue_spawner(size_t index) { spawners_.at(index)->signal(SIGCONT); }

  Snapshot snapshot();
  /// Waits until no lease is active and no executor runs anywhere; false at the deadline.
  bool settle(std::chrono::milliseconds deadline);

 private:
  std::vector<std::string> spawner_arguments(size_t index) const;
  void wait_for_registrations();

  test::TempDir dir_;
  std::string secret_;
  std::string state_file_;
  uint32_t cores_per_spawner_;
  std::map<std::string, uint64_t> reported_by_killed_spawners_;
  std::set<uint64_t> leases_of_killed_spawners_;
  std::optional<test::ManagerProcess> manager_;
  std::vector<std::unique_ptr<test::SpawnerProcess>> spawners_;
  // One observer connection to each daemon, open for the whole soak, so that asking for
  // their status adds the same connection to every sample.
  std::unique_ptr<Client> manager_observer_;
  std::vector<std::unique_ptr<Client>> spawner_observers_;
};

/// A client that sleeps while it waits (the soak oversubscribes the machine), of a manager
/// or of stand-alone spawners.
ClientOptions client_options(std::optional<std::string> manager, std::vector<std::string> spawners);

/// What is wrong with the accounting at a settled moment: the usage the manager accounted
/// against what the spawners reported, leases still active or revoked. Empty when exact.
std::vector<std::string> accounting_errors(const Snapshot& snapshot);

}  // namespace ferry::soak
