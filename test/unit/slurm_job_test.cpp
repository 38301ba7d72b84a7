#include "spawner/daemon/slurm_job.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <string>

#include "runtime/common/error.hpp"

using ferry::Error;
using ferry::spawner::apply_slurm_job;
using ferry::spawner::read_slurm_job;
using ferry::spawner::Settings;
using ferry::spawner::SlurmJob;

namespace {
auto environment(std::map<std::string, std::string> values) {
  return [values](const char* name) -> std::optional<std::string> {
    const auto found = values.find(name);
    if (found == values.end()) return std::nullopt;
    return found->second;
  };
}
}  // namespace

TEST_CASE("A harvesting spawner reads its node, cores and memory from its Slurm job", "[slurm]") {
  const SlurmJob job = read_slurm_job(environment({{"SLURM_JOB_ID", "42"},
                                                   {"SLURMD_NODENAME", "cn017"},
                                                   {"SLURM_JOB_PARTITION", "harvest"},
                                                   {"SLURM_CPUS_ON_NODE", "3"},
                                                   {"SLURM_MEM_PER_NODE", "2048"}}));
  CHECK(job.job_id == "42");
  CHECK(job.node == "cn017");
  CHECK(job.cpus == 3);
  CHECK(job.memory_mib == 2048);

  Settings settings;
  apply_slurm_job(settings, job);
  CHECK(settings.node == "cn017");
  CHECK(settings.id == "cn017:slurm-42");
  CHECK(settings.cpus.size() == 3);
  CHECK(settings.memory_mib == 2048);
  CHECK(settings.reclaim_reason == "node reclaimed by Slurm (node cn017, job 42, partition harvest)");
}

TEST_CASE("What the command line says wins over the Slurm job", "[slurm]") {
  const SlurmJob job = read_slurm_job(environment({{"SLURM_JOB_ID", "7"}, {"SLURMD_NODENAME", "cn1"},
                                                   {"SLURM_CPUS_ON_NODE", "8"}}));
  CHECK(job.memory_mib == 0);  // no --mem: the spawner keeps its own default
  Settings settings;
  settings.id = "harvester";
  settings.memory_mib = 100;
  settings.cpus = {5};  // --cpus 5
  apply_slurm_job(settings, job);
  CHECK(settings.id == "harvester");
  CHECK(settings.node == "cn1");
  CHECK(settings.cpus == std::vector<int>{5});
  CHECK(settings.memory_mib == 100);
  CHECK(settings.reclaim_reason == "node reclaimed by Slurm (node cn1, job 7)");
}

TEST_CASE("A spawner told --slurm outside a Slurm job, or given a malformed count, says so", "[slurm]") {
  CHECK_THROWS_WITH(read_slurm_job(environment({})),
                    "--slurm runs in a Slurm job (sbatch or srun), but SLURM_JOB_ID is not set");
  CHECK_THROWS_WITH(read_slurm_job(environment({{"SLURM_JOB_ID", "7"}})),
                    "--slurm runs in a Slurm job (sbatch or srun), but SLURMD_NODENAME is not set");
  CHECK_THROWS_AS(read_slurm_job(environment({{"SLURM_JOB_ID", "7"}, {"SLURMD_NODENAME", "cn1"},
                                              {"SLURM_CPUS_ON_NODE", "2(x3)"}})),
                  Error);
}
