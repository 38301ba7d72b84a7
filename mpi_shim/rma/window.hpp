#pragma once
// Windows of hybrid communicators: shim objects whose addresses are handed out as MPI_Win.
// A window over a native communicator is Open MPI's own.

#include <mpi.h>

#include <string>

#include "mpi_shim/held_errhandler.hpp"

namespace ferry::mpi {

struct Comm;

struct Window {
  Comm* comm = nullptr;  ///< the window's own communicator (a duplicate of the creator's)
  HeldErrhandler errhandler{MPI_ERRORS_ARE_FATAL};
  std::string name;
};

/// The shim's window behind `handle`, or nullptr for an Open MPI one.
Window* hybrid(MPI_Win handle) noexcept;
MPI_Win handle_of(Window* window) noexcept;
/// Makes `window` a handle the entry points recognise; forget_window() undoes it (and
/// forgets its Fortran handle). The caller owns the window.
void remember_window(Window* window);
void forget_window(Window* window) noexcept;

}  // namespace ferry::mpi
