#pragma once
// Starting the batch ranks' launcher (mpirun or srun) and waiting for it while passing
// on SIGINT and SIGTERM.

#include <sys/types.h>

#include <string>
#include <vector>

#include "runtime/cli/run_options.hpp"

namespace ferry::cli {

/// The launcher's command line: rank count, the FERRY_* variables and LD_PRELOAD for the
/// ranks, the user's --launcher-arg values, then the program.
std::vector<std::string> launcher_command(const RunOptions& options, const JobEnvironment& job);

/// This process's environment with the FERRY_* variables of `job` set (LD_PRELOAD is
/// left alone, so the launcher itself does not load the shim).
std::vector<std::string> launcher_environment(const JobEnvironment& job);

/// Blocks SIGINT, SIGTERM and SIGCHLD in the calling thread (and in threads it starts
/// later), so that wait_forwarding_signals() receives them.
void block_launcher_signals();

/// The launcher process. Its signal mask and dispositions are reset to the defaults; its
/// stderr goes to `stderr_fd` when that is not -1.
class LauncherProcess {
 public:
  LauncherProcess(const std::vector<std::string>& command, const std::vector<std::string>& environment,
                  int stderr_fd = -1);
  LauncherProcess(const LauncherProcess&) = delete;
  LauncherProcess& operator=(const LauncherProcess&) = delete;
  /// Kills and reaps the launcher if it is still running.
  ~LauncherProcess();

  /// Waits for the launcher to end, passing SIGINT/SIGTERM on to it (a second one, or
  /// 10 s without an exit, escalates to SIGKILL). A launcher that has had ranks and
  /// still runs 10 s after the last of them ended is stopped the same way. Returns the
  /// exit code to report: the launcher's own, or 128 + signal; for a stopped launcher the
  /// highest exit code seen among its ended ranks, else 1.
  int wait_forwarding_signals();

 private:
  pid_t pid_ = -1;
};

/// Kills (SIGKILL) every remaining child of this process and reaps it, repeating while
/// orphaned descendants keep being handed to this process (it is made a subreaper).
void kill_remaining_children();
/// Makes this process the reaper of its orphaned descendants.
void become_subreaper();

}  // namespace ferry::cli
