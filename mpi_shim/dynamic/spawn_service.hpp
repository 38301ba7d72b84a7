#pragma once
// The thread that leases executors for MPI_Comm_spawn, starts the children on them,
// watches them, releases each child's lease the moment it exits, renews the leases of
// long-lived children, and ends the job when a child fails.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "mpi_shim/job_settings.hpp"
#include "runtime/wire/messages.hpp"

namespace ferry {
class Client;
class Lease;
}  // namespace ferry

namespace ferry::mpi {

/// One child to start: its command line, working directory and environment.
struct ChildProgram {
  std::vector<std::string> argv;
  std::string working_directory;
  std::vector<std::string> env;
  std::string name;  ///< how messages name it ("spawned rank 2 of ./worker")
  std::string placement;  ///< the info key `host`: a spawner's id or a node's name
};

struct SpawnOrder {
  std::vector<ChildProgram> children;
  std::chrono::seconds lease_duration{600};
  /// Whether a child's failure lets the parents go on (their intercommunicator's error
  /// handler returns) rather than ending the job.
  bool parents_handle_errors = false;
};

enum class ChildStatus { starting, running, failed, exited };

/// A child that failed after it started, while its parents handle errors.
struct ChildFailure {
  uint64_t spawn = 0;  ///< the id start() returned
  uint32_t child = 0;  ///< its rank among the spawn's children
  std::string reason;
};

struct ChildState {
  ChildStatus status = ChildStatus::starting;
  std::string reason;  ///< why it failed
  uint64_t lease = 0;
};

class SpawnService {
 public:
  /// The process's service, started on first use with the job's settings.
  static SpawnService& instance();
  /// Ends the service if it was started: waits up to `timeout` for every child to exit,
  /// kills the rest, and writes the spawn report (MPI_Finalize).
  static void finish(std::chrono::milliseconds timeout) noexcept;

  explicit SpawnService(JobSettings settings);
  SpawnService(const SpawnService&) = delete;
  SpawnService& operator=(const SpawnService&) = delete;
  ~SpawnService();

  /// Queues `order`; returns its id. The children start on the service's thread.
  uint64_t start(SpawnOrder order);
  /// The state of every child of spawn `id`.
  std::vector<ChildState> states(uint64_t id);
  /// Kills the children of a spawn that failed; none of their exits ends the job.
  void abandon(uint64_t id);
  /// Whether a failure of spawn `id`'s children ends the job (false) or is reported by
  /// take_failures() (true); changes with the intercommunicator's error handler.
  void set_parents_handle_errors(uint64_t id, bool handle);
  /// True when take_failures() may have something; cheap, and safe before the service exists.
  static bool failures_waiting() noexcept;
  /// The failures since the last call, but those of abandoned spawns.
  std::vector<ChildFailure> take_failures();
  /// The manager the children reach (so that they spawn under the same cluster).
  std::string manager_address();

 private:
  struct Child;
  struct Spawn;

  void run() noexcept;
  void serve();
  void launch(Spawn& spawn);
  bool watch();
  std::pair<bool, bool> reap_exited();
  bool children_running();
  Lease lease_for(Client& client, Spawn& spawn, const std::string& placement);
  /// With --ship: the child's program and the libraries it needs, listed once per program.
  const std::vector<wire::ShippedFile>& shipment_for(const ChildProgram& program);
  void write_report() const;

  JobSettings settings_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::shared_ptr<Spawn>> queued_;
  std::vector<std::shared_ptr<Spawn>> spawns_;
  std::string manager_address_;
  std::string failure_;  ///< why the service cannot lease (every spawn fails with it)
  bool ready_ = false;
  bool stopping_ = false;
  std::chrono::steady_clock::time_point stop_deadline_{};
  uint64_t next_id_ = 1;
  double core_seconds_ = 0;
  std::vector<uint64_t> leases_;
  std::vector<ChildFailure> failures_;
  std::map<std::string, std::vector<wire::ShippedFile>> shipments_;  ///< by program path; service thread only
  std::thread thread_;
};

}  // namespace ferry::mpi
