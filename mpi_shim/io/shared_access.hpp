#pragma once
// The shared file pointer of hybrid files, for the calls outside shared_access.cpp that
// move it.

#include "mpi_shim/io/file.hpp"

namespace ferry::mpi {

/// Collective: sets the shared file pointer of `file` to 0 (MPI_File_set_view does) once
/// every rank has stopped using the old value; the error is raised as `function`.
int reset_shared_pointer(File& file, const char* function);

}  // namespace ferry::mpi
