#pragma once
// Files opened on hybrid communicators: shim objects whose addresses are handed out as
// MPI_File. A file opened on a native communicator is Open MPI's own.

#include <mpi.h>

#include <string>

#include "mpi_shim/held_errhandler.hpp"

namespace ferry::mpi {

struct Comm;

struct File {
  Comm* comm = nullptr;  ///< the file's own communicator (a duplicate of the opener's)
  HeldErrhandler errhandler{MPI_ERRORS_RETURN};
  std::string name;  ///< the file name given to MPI_File_open
};

/// The shim's file behind `handle`, or nullptr for an Open MPI one.
File* hybrid(MPI_File handle) noexcept;
MPI_File handle_of(File* file) noexcept;
/// Makes `file` a handle the entry points recognise; forget_file() undoes it (and forgets
/// its Fortran handle). The caller owns the file.
void remember_file(File* file);
void forget_file(File* file) noexcept;

}  // namespace ferry::mpi
