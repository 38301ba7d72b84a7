#pragma once
// The line `ferry run` prints when the job is over: ranks, leases, wall time and the
// core-seconds the job was billed.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ferry::cli {

struct JobSummary {
  unsigned batch_ranks = 0;
  unsigned function_ranks = 0;
  unsigned spawned_ranks = 0;  ///< started by MPI_Comm_spawn, each on a lease of its own
  std::vector<uint64_t> leases;
  double wall_seconds = 0;
  std::optional<double> billed_core_seconds;  ///< unknown when neither source answered
};

/// Lease ids and billed core-seconds of the leases owned by `job` ("<job>/rank<r>"),
/// from a manager's status JSON. `all_ended` tells whether none of them is still active.
struct BilledLeases {
  std::vector<uint64_t> leases;
  double billed_core_seconds = 0;
  bool all_ended = true;
};
BilledLeases billed_leases(const std::string& status_json, const std::string& job);

/// Merges the ranks' FERRY_REPORT files (`<dir>/rank<r>.json` from batch ranks,
/// `<dir>/rank<r>-spawned-<pid>.json` from ranks that spawned) into `summary`: lease ids,
/// spawned ranks and, when `summary` has none yet, core-seconds.
/// Returns how many report files were read; malformed files are an Error.
unsigned merge_rank_reports(const std::string& directory, JobSummary& summary);

std::string format_summary(const JobSummary& summary);

}  // namespace ferry::cli
