#pragma once
// `ferry doctor`: checks that what Ferry needs on this machine is in place.

#include <ostream>

namespace ferry::cli {

/// Checks UCX (version, transports, wakeup), RDMA devices, Open MPI, ferry-worker, the
/// kernel features the spawner uses and Slurm (controller, munge, PMIx, Ferry's SPANK
/// plugin), printing one `[ ok ]`, `[warn]`, `[FAIL]` (or `[info]`) line per
/// check (with a fix for each one not ok) to `out`. Returns 0 when nothing failed, else 1.
/// Never throws: an unexpected error becomes a FAIL line.
int run_doctor(std::ostream& out) noexcept;

}  // namespace ferry::cli
