#pragma once
// MPI_Publish_name, MPI_Lookup_name and MPI_Unpublish_name through Ferry's manager.

namespace ferry::mpi {

/// Closes this process's connection to the manager, and with it the names it published
/// (MPI_Finalize).
void forget_names() noexcept;

}  // namespace ferry::mpi
