#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ferry::spawner {

/// The user a process runs as when it is not the spawner's own.
struct ProcessIdentity {
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;  ///< supplementary groups
  std::string user;           ///< login name, for USER and LOGNAME
  std::string home;           ///< home directory, for HOME
};

/// What to run and inside which limits.
struct ProcessSpec {
  /// argv[0] is the program: a path when it contains '/' (relative paths start from
  /// working_directory), otherwise it is looked up in the PATH of `env`.
  std::vector<std::string> argv;
  /// The complete environment, as NAME=value entries.
  std::vector<std::string> env;
  /// Directory the process starts in; empty keeps the spawner's.
  std::string working_directory;
  /// CPUs the process is pinned to; empty means no pinning.
  std::vector<int> cpus;
  /// Limit on the process's private writable memory (RLIMIT_DATA); 0 means none.
  uint64_t memory_limit_bytes = 0;
  /// Who the process runs as; none: the spawner's own user. Never root.
  std::optional<ProcessIdentity> identity;
  /// `cgroup.procs` of the cgroup the process joins before it drops privileges; -1: none.
  int cgroup_procs_fd = -1;
  /// (descriptor in the spawner, descriptor number in the child); child numbers are >= 3.
  std::vector<std::pair<int, int>> inherit_fds;
};

}  // namespace ferry::spawner
