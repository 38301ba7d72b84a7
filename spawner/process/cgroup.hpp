#pragma once
// cgroup v2 limits for the executors of a lease. A spawner that may create cgroups under
// a directory of the unified hierarchy whose `cgroup.subtree_control` enables the memory
// controller puts each lease's executors in a cgroup of their own there, with
// `memory.max` the lease's memory (and `cpu.max` a quota when configured). Without one,
// executors get RLIMIT_DATA as before.

#include <cstdint>
#include <optional>
#include <string>

#include "runtime/common/unique_fd.hpp"

namespace ferry::spawner {

/// Where lease cgroups can go, or why they cannot.
struct CgroupSupport {
  std::string parent;  ///< the directory lease cgroups are made in; empty: none usable
  bool cpu = false;    ///< the cpu controller is enabled there too (cpu.max can be set)
  std::string reason;  ///< why this directory, or why no cgroup is used
};

/// Finds the parent directory for lease cgroups: `configured` when given, else the
/// cgroup this process is in. Reads `<proc>/self/mountinfo` and `<proc>/self/cgroup`
/// (`proc` is "/proc" except in tests) and the candidate's `cgroup.controllers` and
/// `cgroup.subtree_control`. Never throws: what is missing becomes the reason.
CgroupSupport find_lease_cgroup_parent(const std::string& proc, const std::string& configured);

/// The cgroup of one lease; removed (it must be empty by then) when destroyed.
class LeaseCgroup {
 public:
  /// Creates `<parent>/ferry-lease-<lease_id>` with `memory.max` and, when
  /// `cpu_quota_percent` is not 0, `cpu.max` = that share of `cores` cores.
  /// Throws Error(system) naming the file it could not write.
  LeaseCgroup(const CgroupSupport& support, uint64_t lease_id, uint32_t memory_mib, uint32_t cores,
              uint32_t cpu_quota_percent);
  LeaseCgroup(const LeaseCgroup&) = delete;
  LeaseCgroup& operator=(const LeaseCgroup&) = delete;
  ~LeaseCgroup();

  const std::string& path() const noexcept { return path_; }
  /// `cgroup.procs`, open for writing: a child writes "0" to it to join.
  int procs_fd() const noexcept { return procs_.get(); }

 private:
  std::string path_;
  UniqueFd procs_;
};

}  // namespace ferry::spawner
