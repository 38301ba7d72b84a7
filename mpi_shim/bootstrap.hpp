#pragma once
// Start-up and shut-down of the hybrid world (DESIGN.md, "Start-up"): batch ranks lease
// and spawn their share of the function ranks, function ranks start as isolated Open MPI
// singletons and present the job's secret to their owner, and every rank gets the UCX
// worker address of every other before MPI_Init returns.

#include <string>

namespace ferry::mpi {

/// After PMPI_Init in a rank started by mpirun/srun; sets world().role.
void start_batch_rank();
/// After PMPI_Init in a rank started by a spawner.
void start_function_rank();
/// The LD_PRELOAD a function rank starts with: the shim, the user's own preloads, and the
/// memory-limit library.
std::string preload_for_function_ranks();
/// MPI_Finalize's part before PMPI_Finalize: waits for every rank, then tears down.
void finalize_hybrid_world();
/// MPI_Finalize's part after PMPI_Finalize: waits for this batch rank's function ranks to
/// exit, and ends the process with an error when one of them failed.
void finish_function_ranks();

}  // namespace ferry::mpi
