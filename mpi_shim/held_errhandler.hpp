#pragma once
// An error handler a hybrid communicator, window or file holds. Open MPI counts references
// to error handlers; a hybrid object is not an Open MPI one, so the reference it holds is
// kept by a native object on MPI_COMM_SELF whose error handler it is (a communicator, a
// window of no memory for window handlers, /dev/null for file handlers; one holder per
// handler in use). The user may then free the handle after setting it, and
// MPI_*_get_errhandler hands out a reference of its own, as Open MPI does.

#include <mpi.h>

namespace ferry::mpi {

class HeldErrhandler {
 public:
  HeldErrhandler(MPI_Errhandler handler = MPI_ERRORS_ARE_FATAL) noexcept;  // NOLINT: converts like the handle
  HeldErrhandler(const HeldErrhandler& other) noexcept;
  HeldErrhandler& operator=(const HeldErrhandler& other) noexcept;
  ~HeldErrhandler();

  operator MPI_Errhandler() const noexcept { return handler_; }  // NOLINT
  /// A new reference to the handler, for the user to free (MPI_Comm_get_errhandler).
  MPI_Errhandler new_reference() const noexcept;

 private:
  MPI_Errhandler handler_;
};

}  // namespace ferry::mpi
