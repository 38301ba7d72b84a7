#pragma once
// The job's default waiting mode, settled once a world is up: every rank tells the others
// where it runs (one allgather of rank_placement.hpp's records on the world communicator),
// and each counts the ranks, and the other runnable processes, on its own CPUs.

#include "runtime/ucx/wait_policy.hpp"

namespace ferry::mpi {

class Comm;

/// Collective over `world`. When the job asked for the default mode, sets this rank's
/// waiting from what it saw; returns what it saw.
ucx::CoreShare settle_waiting_mode(Comm& world);

}  // namespace ferry::mpi
