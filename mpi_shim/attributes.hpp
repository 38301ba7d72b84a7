#pragma once
// Attribute caching on hybrid communicators, with the callbacks of keyvals made by
// MPI_Comm_create_keyval (which also makes the keyval in Open MPI, for native ones).

#include <mpi.h>

namespace ferry::mpi {

struct Comm;

/// Runs the copy callbacks of `from`'s attributes into `to` (MPI_Comm_dup).
int copy_attributes(Comm& from, MPI_Comm from_handle, Comm& to);
/// Runs the delete callbacks of every attribute of `comm` (MPI_Comm_free).
int delete_attributes(Comm& comm, MPI_Comm handle);
/// Drops a freed communicator's Fortran handle.
void forget_fortran_handle(Comm* comm) noexcept;

}  // namespace ferry::mpi
