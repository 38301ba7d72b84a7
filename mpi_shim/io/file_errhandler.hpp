#pragma once
// An error handler a hybrid file holds. Open MPI counts references to error handlers, and
// one made for files can only be held by a file: the reference is kept by an Open MPI file
// on /dev/null, opened on MPI_COMM_SELF, whose error handler it is (one per handler in
// use). The user may then free the handle after setting it, and MPI_File_get_errhandler
// hands out a reference of its own, as Open MPI does.

#include <mpi.h>

namespace ferry::mpi {

class FileErrhandler {
 public:
  FileErrhandler(MPI_Errhandler handler = MPI_ERRORS_RETURN) noexcept;  // NOLINT: converts like the handle
  FileErrhandler(const FileErrhandler& other) noexcept;
  FileErrhandler& operator=(const FileErrhandler& other) noexcept;
  ~FileErrhandler();

  operator MPI_Errhandler() const noexcept { return handler_; }  // NOLINT
  /// A new reference to the handler, for the user to free (MPI_File_get_errhandler).
  MPI_Errhandler new_reference() const noexcept;

 private:
  MPI_Errhandler handler_;
};

}  // namespace ferry::mpi
