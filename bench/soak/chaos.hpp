#pragma once
// Chaos: faults struck at random moments (drawn from a seed) into running jobs and into
// the daemons. Each fault is checked for what it must do (the jobs it hits end within
// `chaos_deadline` with a message naming the cause) and what it must not (every other
// job completes with the right answer, no process is left behind, a restarted daemon
// rejoins).

#include <chrono>
#include <random>
#include <string>

#include <nlohmann/json.hpp>

#include "bench/soak/phases.hpp"

namespace ferry::soak {

/// How long after a fault the jobs it hits must have ended.
constexpr std::chrono::seconds chaos_deadline{30};

struct ChaosPrograms {
  std::string exchange;  ///< long_exchange: an MPI program that checks every message for SECONDS
  std::string soak;      ///< this program, for its --hold-lease and --idle roles
};

/// Every kind of fault once, in a random order, each while 3 jobs of 2+1 ranks run (the
/// network fault strikes a cluster of its own, in network namespaces).
PhaseResult chaos(SoakCluster& cluster, std::mt19937_64& random, const ChaosPrograms& programs, uint32_t round);

/// The --hold-lease role: leases a core of `manager`'s cluster for 60 s, runs
/// `soak --idle TAG` on it, prints "holding lease ID" and waits to be killed.
[[noreturn]] void hold_lease(const std::string& soak, const std::string& manager, const std::string& tag);

/// The --keep-lease role: leases a core for 10 s, runs `soak --idle TAG-program` on it,
/// renews the lease every second for `seconds`, then releases it. 0 when the program
/// lived until the release.
int keep_lease(const std::string& soak, const std::string& manager, const std::string& tag, int seconds);

}  // namespace ferry::soak
