#pragma once
// Where a rank runs (its node and the CPUs it may use), in a fixed-size record the ranks
// of one job exchange as raw bytes, and how much of a rank's CPUs the others keep busy.

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace ferry::mpi {

struct RankPlacement {
  uint64_t node = 0;                ///< a hash of the host name
  std::array<uint64_t, 16> cpus{};  ///< CPU affinity, one bit per CPU below 1024
};

/// This process's placement.
RankPlacement own_placement();
RankPlacement placement_of(const std::string& host, const std::vector<int>& cpus);
std::vector<int> cpus_of(const RankPlacement& placement);
unsigned cpu_count(const RankPlacement& placement);

/// How much of `me`'s CPUs the ranks in `all` keep busy: each rank on the same node adds
/// the share of its own CPUs that are also `me`'s (a rank bound to one of them adds 1,
/// one allowed on twice as many CPUs adds 1/2). `me` is one of `all`.
double ranks_on_my_cores(const RankPlacement& me, const std::vector<RankPlacement>& all);

}  // namespace ferry::mpi
