#pragma once
// What every window creation shares.

#include <mpi.h>

#include <memory>

#include "mpi_shim/rma/window.hpp"

namespace ferry::mpi::rma {

/// Collective over `creator`: the window's own communicator, its memory registered with
/// UCX (allocated here for MPI_WIN_FLAVOR_ALLOCATE; none for MPI_WIN_FLAVOR_DYNAMIC, which
/// gets a directory), its control region, and what every member learns of the others.
/// The window is registered as a handle.
std::unique_ptr<Window> create_window(Comm& creator, void* base, MPI_Aint size, int disp_unit, int flavor,
                                      MPI_Info info);

}  // namespace ferry::mpi::rma
