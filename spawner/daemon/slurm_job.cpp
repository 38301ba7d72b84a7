#include "spawner/daemon/slurm_job.hpp"

#include <charconv>

#include "runtime/common/environment.hpp"
#include "runtime/common/error.hpp"

namespace ferry::spawner {

namespace {
uint32_t parse_count(const std::string& name, const std::string& text) {
  uint32_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) {
    throw Error(Errc::invalid_argument, name + "=" + text + " is not a count");
  }
  return value;
}
}  // namespace

SlurmJob read_slurm_job(const std::function<std::optional<std::string>(const char*)>& environment) {
  const auto get = environment ? environment : environment_variable;
  SlurmJob job;
  const auto id = get("SLURM_JOB_ID");
  const auto node = get("SLURMD_NODENAME");
  if (!id || !node) {
    throw Error(Errc::invalid_argument, std::string("--slurm runs in a Slurm job (sbatch or srun), but ") +
                                            (!id ? "SLURM_JOB_ID" : "SLURMD_NODENAME") + " is not set");
  }
  job.job_id = *id;
  job.node = *node;
  job.partition = get("SLURM_JOB_PARTITION").value_or("");
  if (const auto cpus = get("SLURM_CPUS_ON_NODE")) job.cpus = parse_count("SLURM_CPUS_ON_NODE", *cpus);
  if (const auto memory = get("SLURM_MEM_PER_NODE")) job.memory_mib = parse_count("SLURM_MEM_PER_NODE", *memory);
  return job;
}

void apply_slurm_job(Settings& settings, const SlurmJob& job) {
  if (settings.node.empty()) settings.node = job.node;
  if (settings.id.empty()) settings.id = job.node + ":slurm-" + job.job_id;
  if (settings.cpus.empty() && job.cpus != 0) fit_cpus_to_cores(settings.cpus, job.cpus);
  if (settings.memory_mib == 0) settings.memory_mib = job.memory_mib;
  settings.reclaim_reason = "node reclaimed by Slurm (node " + job.node + ", job " + job.job_id +
                            (job.partition.empty() ? "" : ", partition " + job.partition) + ")";
}

}  // namespace ferry::spawner
