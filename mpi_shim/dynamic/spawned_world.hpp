#pragma once
// A child started by MPI_Comm_spawn: a world of its own (every rank a function rank),
// joined to its parents by the intercommunicator MPI_Comm_get_parent returns.

#include <mpi.h>

#include "mpi_shim/job_settings.hpp"

namespace ferry::mpi {

/// After PMPI_Init in a spawned child: says hello to the parents' root, learns its
/// siblings and parents, and makes MPI_COMM_WORLD and the parent intercommunicator.
void start_spawned_rank(const FunctionRankSettings& settings);

/// The intercommunicator to the parents, or MPI_COMM_NULL (not spawned, or disconnected).
MPI_Comm spawned_parent() noexcept;

}  // namespace ferry::mpi
