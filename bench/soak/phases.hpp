#pragma once
// The load a soak puts on its cluster, phase by phase. Each phase returns what went wrong
// (empty: everything did what it should).

#include <cstdint>
#include <string>
#include <vector>

#include "bench/soak/soak_cluster.hpp"

namespace ferry::soak {

struct PhaseResult {
  uint64_t done = 0;                ///< leases, jobs or ranks that did their work
  uint64_t peak_executors = 0;      ///< most executor processes seen at once
  std::vector<std::string> errors;  ///< the first few failures
};

/// `leases` leases granted, used and released by `clients` concurrent clients; every
/// other one runs a program, the rest an executor that answers one invocation.
PhaseResult lease_churn(SoakCluster& cluster, uint64_t leases, uint32_t clients, const std::string& function_library);
/// `leases` leases left to expire, in batches that fit the cluster, half of them with a
/// program that would outlive the lease: the spawners must end it.
PhaseResult lease_expiry(SoakCluster& cluster, uint64_t leases);
/// `jobs` `ferry run -n 1 --functions F` of `program` (mpi_ring) one after another.
PhaseResult mpi_jobs(SoakCluster& cluster, uint64_t jobs, uint32_t functions, const std::string& program);

}  // namespace ferry::soak
