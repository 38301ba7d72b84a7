#pragma once
// A spawner run as a Slurm job (`ferry spawner --slurm`) that harvests an idle node: it
// serves the node, cores and memory Slurm gave the job, and when Slurm reclaims the node
// (preemption, or the job's time limit) its executors end with that reason.

#include <functional>
#include <optional>
#include <string>

#include "spawner/daemon/settings.hpp"

namespace ferry::spawner {

/// What a spawner takes from the environment Slurm gives a job.
struct SlurmJob {
  std::string job_id;     ///< SLURM_JOB_ID
  std::string node;       ///< SLURMD_NODENAME
  std::string partition;  ///< SLURM_JOB_PARTITION (may be empty)
  uint32_t cpus = 0;      ///< SLURM_CPUS_ON_NODE (0: not given)
  uint32_t memory_mib = 0;  ///< SLURM_MEM_PER_NODE (0: not given)
};

/// Reads the job from `environment` (getenv by default); throws Error(invalid_argument)
/// naming what is missing when this is not a Slurm job step.
SlurmJob read_slurm_job(const std::function<std::optional<std::string>(const char*)>& environment = {});

/// Fills what the command line left open from the job: node, id, the CPUs (--cores still
/// fits them to its count) and memory, and the reason executors end with when Slurm
/// reclaims the node.
void apply_slurm_job(Settings& settings, const SlurmJob& job);

}  // namespace ferry::spawner
