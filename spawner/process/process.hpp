#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "runtime/common/deadline.hpp"
#include "runtime/common/unique_fd.hpp"
#include "spawner/process/process_spec.hpp"

namespace ferry::spawner {

/// How a process ended and what it used.
struct ExitStatus {
  int exit_code = 0;             ///< exit status, or 128 + signal when a signal killed it
  int signal = 0;                ///< the signal that killed it, 0 when it exited
  uint64_t wall_ns = 0;          ///< from spawn to reaping
  uint64_t cpu_ns = 0;           ///< user + system time of the process and its reaped children
  uint64_t peak_memory_kib = 0;  ///< ru_maxrss; never below the spawner's private RSS at fork
};

/// A child process that leads its own process group, dies with the spawner, and is
/// killed and reaped (with everything left in its group) by the destructor.
/// Needs SIGCHLD not set to SIG_IGN and nobody else waiting for this pid; spawn from a
/// thread that outlives the process, since the parent-death signal follows that thread.
/// Move-only. An empty Process (default-constructed or moved from) has pid() == -1
/// and its operations do nothing.
class Process {
 public:
  Process() = default;
  /// Forks and execs `spec`. Throws Errc::invalid_argument for a bad spec, and
  /// Errc::not_found or Errc::system ("cannot start 'prog': <reason>") when the
  /// child cannot be set up or exec fails.
  static Process spawn(const ProcessSpec& spec);

  Process(Process&& other) noexcept;
  Process& operator=(Process&& other) noexcept;
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;
  ~Process();

  pid_t pid() const noexcept { return pid_; }
  /// Becomes readable when the process exits (for epoll).
  int pidfd() const noexcept { return pidfd_.get(); }
  /// Non-blocking, close-on-exec read ends of the child's stdout and stderr.
  int stdout_fd() const noexcept { return stdout_.get(); }
  int stderr_fd() const noexcept { return stderr_.get(); }

  /// Without blocking: when the process has exited, kills whatever it left in its group,
  /// reaps it, fills `status` and returns true (again on later calls); otherwise false.
  bool try_reap(ExitStatus& status);
  /// Sends `sig` to the process group (and to the leader, should it have left the group).
  void signal_group(int sig);
  /// Sends SIGTERM to the group without blocking; the caller sends SIGKILL with
  /// signal_group() if the process has not exited at the returned deadline.
  [[nodiscard]] Deadline terminate(std::chrono::milliseconds grace);
  /// Blocks: SIGKILL to the group, then reaps. For shutdown and destructors.
  void kill_and_reap();
  /// The exit status counts wall and CPU time from now on: for a process started ahead
  /// of the work it is then given.
  void count_usage_from_now();

 private:
  Process(pid_t pid, Clock::time_point started, UniqueFd out, UniqueFd err) noexcept;
  void await_exec(UniqueFd report, const std::string& program);
  void reap();
  void release() noexcept;

  pid_t pid_ = -1;
  Clock::time_point started_;
  uint64_t cpu_ns_before_ = 0;  ///< CPU time used before count_usage_from_now()
  UniqueFd pidfd_;
  UniqueFd stdout_;
  UniqueFd stderr_;
  std::optional<ExitStatus> exit_status_;
};

}  // namespace ferry::spawner
