#pragma once
// Internal to Process: everything a child does between fork and exec, prepared in
// the parent so that the child itself only makes async-signal-safe calls.

#include <sched.h>
#include <sys/resource.h>
#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/common/error.hpp"
#include "spawner/process/process_spec.hpp"

namespace ferry::spawner {

/// The step of the launch that failed, as reported by the child.
enum class LaunchStep : int32_t {
  process_group,
  cgroup,
  groups,
  group_id,
  user_id,
  privileges_kept,
  parent_death_signal,
  signals,
  affinity,
  memory_limit,
  working_directory,
  file_descriptors,
  exec,
};

/// Name of the system call behind a launch step ("sched_setaffinity", ...).
std::string_view launch_step_name(LaunchStep step) noexcept;

/// What a child writes to its report pipe when it cannot exec; nothing is written on success.
struct LaunchReport {
  LaunchStep step;
  int32_t error;
};

/// The error spawn() throws for a failed launch: "cannot start 'prog': <reason>".
Error launch_error(const std::string& program, const LaunchReport& report);

/// One descriptor the child must find at number `to`.
struct FdMove {
  int from;
  int to;
};

/// The child's instructions. Neither copyable nor movable: argv and envp point into it.
struct LaunchPlan {
  /// Validates `spec` (Errc::invalid_argument, Errc::not_found) and prepares its launch.
  /// `stdio` are the descriptors that become the child's 0, 1 and 2.
  LaunchPlan(const ProcessSpec& spec, const int (&stdio)[3], int report_fd);
  LaunchPlan(const LaunchPlan&) = delete;
  LaunchPlan& operator=(const LaunchPlan&) = delete;

  std::string executable;
  std::vector<std::string> arguments;
  std::vector<std::string> environment;
  std::vector<char*> argv;
  std::vector<char*> envp;
  std::string working_directory;
  bool pin_cpus = false;
  cpu_set_t cpus{};
  bool switch_user = false;
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;
  int cgroup_procs_fd = -1;
  bool limit_memory = false;
  rlimit memory_limit{};
  std::vector<FdMove> fd_moves;  ///< sorted by target
  int fd_floor = 3;              ///< above every target: where descriptors wait before dup2
  int report_fd = -1;
  pid_t parent_pid = 0;
};

/// Runs in the forked child: applies `plan` and execs, or reports why not and exits 127.
[[noreturn]] void run_child(LaunchPlan& plan) noexcept;

}  // namespace ferry::spawner
