#pragma once
// Files opened on hybrid communicators: shim objects whose addresses are handed out as
// MPI_File. A file opened on a native communicator is Open MPI's own.
//
// Every rank opens the file through its own Open MPI on MPI_COMM_SELF (`own`), so all
// access that concerns one rank alone is Open MPI's work; the shim adds what crosses
// ranks: agreement at open and close, the shared file pointer, ordered access.

#include <mpi.h>

#include <memory>
#include <string>

#include "mpi_shim/held_errhandler.hpp"
#include "mpi_shim/io/shared_pointer.hpp"

namespace ferry::mpi {

struct Comm;

/// A split collective begun on a file (one at a time), completed at once by its _begin
/// call; its _end call hands out the status.
struct SplitCollective {
  bool active = false;
  const void* buffer = nullptr;  ///< the buffer the _end call must name
  MPI_Status status{};
};

struct File {
  Comm* comm = nullptr;  ///< the file's own communicator (a duplicate of the opener's)
  HeldErrhandler errhandler{MPI_ERRORS_RETURN};
  std::string name;  ///< the file name given to MPI_File_open
  std::string path;  ///< the name every rank opened (absolute when the given one was relative)
  int amode = 0;     ///< as given to MPI_File_open
  int etype_size = 1;  ///< in bytes, of the current view's etype (the shared pointer counts etypes)
  MPI_File own = MPI_FILE_NULL;  ///< this rank's Open MPI handle, opened on MPI_COMM_SELF
  std::unique_ptr<SharedPointer> shared;  ///< the group's; its side file appears at first use
  SplitCollective split;
};

/// The shim's file behind `handle`, or nullptr for an Open MPI one.
File* hybrid(MPI_File handle) noexcept;
MPI_File handle_of(File* file) noexcept;
/// Makes `file` a handle the entry points recognise; forget_file() undoes it (and forgets
/// its Fortran handle). The caller owns the file.
void remember_file(File* file);
void forget_file(File* file) noexcept;

}  // namespace ferry::mpi
