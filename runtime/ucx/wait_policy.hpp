#pragma once
// The default waiting mode: chosen from how many busy processes share the cores a process
// may run on. On cores of its own a process polls (hot); where busy processes outnumber
// the cores, spinning holds the CPU that a peer needs in order to answer, so it waits
// adaptively, giving the core up at every idle turn and sleeping once its learned budget
// runs out (waiter.hpp, spin_budget.hpp).

#include <vector>

#include "runtime/ucx/waiter.hpp"

namespace ferry::ucx {

/// Who shares the cores of a process.
struct CoreShare {
  unsigned cores = 1;  ///< CPUs the process may run on
  double busy = 1;     ///< processes that keep those CPUs busy, this one included
};

struct WaitChoice {
  WaitMode mode = WaitMode::hot;
  bool shared_cores = false;  ///< more busy processes than cores
  bool operator==(const WaitChoice&) const = default;
};

/// The mode to use: `requested` itself unless it is WaitMode::automatic, which the share decides.
WaitChoice choose_wait(WaitMode requested, const CoreShare& share) noexcept;

/// The processes ready to run on `cpus` right now, from the kernel's count of runnable
/// tasks (/proc/stat procs_running, the median of a few samples) scaled to the share of
/// the online CPUs that `cpus` are; this process is one of them.
double runnable_processes_on(const std::vector<int>& cpus);

/// What this process sees of its own cores: the CPUs it may run on and the runnable
/// processes on them, at least `known_busy` (processes the caller knows are busy there,
/// itself included).
CoreShare observe_core_share(double known_busy = 1);

}  // namespace ferry::ucx
