#pragma once
// What a rank learns about its job from the environment (set by `ferry run`, by the user
// on the mpirun command line, or by the owner that spawned a function rank).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "runtime/client/client.hpp"
#include "runtime/ucx/waiter.hpp"

namespace ferry::mpi {

struct JobSettings {
  int functions = 0;                   ///< FERRY_FUNCTIONS
  std::optional<std::string> manager;  ///< FERRY_MANAGER
  std::vector<std::string> spawners;   ///< FERRY_SPAWNERS (comma-separated)
  ucx::WaitMode mode = ucx::WaitMode::automatic;  ///< FERRY_MODE (unset: auto)
  std::string job;                     ///< FERRY_JOB: names the job's leases
  std::string report_directory;        ///< FERRY_REPORT
  /// FERRY_MEMORY_MIB per function rank; 0 (unset) = a fair share of its spawner's memory
  uint32_t memory_mib = 0;
  std::chrono::seconds lease_duration{600};  ///< FERRY_LEASE_SECONDS (renewed at half)
  /// FERRY_SHIP=1: function ranks' nodes get the program and the libraries they lack
  bool ship = false;
};

/// What a spawner tells a function rank (FERRY_ROLE=function).
struct FunctionRankSettings {
  int rank = 0;          ///< FERRY_RANK
  int batch_ranks = 0;   ///< FERRY_BATCH_RANKS
  int functions = 0;     ///< FERRY_FUNCTIONS
  int owner = 0;         ///< FERRY_OWNER_RANK
  /// FERRY_SPAWN_ID: a child started by MPI_Comm_spawn (a world of its own, B = 0, whose
  /// owner is the parent's root); 0 for a function rank of a hybrid world.
  uint32_t spawn_id = 0;
  std::vector<std::byte> owner_address;  ///< FERRY_OWNER_ADDRESS (hex UCX worker address)
  std::vector<std::byte> secret;         ///< FERRY_JOB_SECRET (hex)
  ucx::WaitMode mode = ucx::WaitMode::automatic;
};

/// How a rank's lease client reaches the cluster: the job's manager or spawners, as
/// `<job>/<who>` (leases of the job share the prefix), waiting warm; without either, the
/// single-machine default with `embedded_cores` cores.
ClientOptions lease_client_options(const JobSettings& settings, const std::string& who, uint32_t embedded_cores);

bool is_function_rank_environment();
/// Reads the batch-rank settings; throws Error(invalid_argument) naming the bad variable.
JobSettings read_job_settings();
FunctionRankSettings read_function_rank_settings();

}  // namespace ferry::mpi
