#pragma once
// How a rank waits, settled once a world is up: every rank tells the others
// where it runs (one allgather of rank_placement.hpp's records on the world communicator),
// and each counts the ranks, and the other runnable processes, on its own CPUs.

#include "runtime/ucx/wait_policy.hpp"

namespace ferry::mpi {

class Comm;

/// Collective over `world`. Tells this rank's waiting whether its cores are shared and,
/// when the job asked for the default mode, which mode to use; returns what it saw.
ucx::CoreShare settle_waiting_mode(Comm& world);

}  // namespace ferry::mpi
