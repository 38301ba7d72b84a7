#pragma once
// Calls on a hybrid file's own Open MPI handle (opened on MPI_COMM_SELF): with the shim's
// guard up, since Open MPI's I/O layers make MPI_* calls of their own, and with the error
// raised through the hybrid file's handler.

#include <mpi.h>

#include "mpi_shim/errors.hpp"
#include "mpi_shim/io/file.hpp"
#include "mpi_shim/world.hpp"

namespace ferry::mpi {

/// Runs `call(own)` (a PMPI_File_* call) and raises its error on `file` as `function`.
template <class Call>
int on_own_handle(File& file, const char* function, Call&& call) {
  int code = MPI_SUCCESS;
  {
    ShimScope scope;
    code = call(file.own);
  }
  return code == MPI_SUCCESS ? code : raise(file, code, function);
}

/// Open MPI applies the handler of MPI_FILE_NULL to a failed open or delete; while the
/// shim opens or deletes on the group's behalf it is MPI_ERRORS_RETURN, and the shim
/// raises the group's outcome once. Construct inside a ShimScope.
class QuietFileNull {
 public:
  QuietFileNull() noexcept {
    PMPI_File_get_errhandler(MPI_FILE_NULL, &kept_);
    PMPI_File_set_errhandler(MPI_FILE_NULL, MPI_ERRORS_RETURN);
  }
  ~QuietFileNull() {
    PMPI_File_set_errhandler(MPI_FILE_NULL, kept_);
    PMPI_Errhandler_free(&kept_);
  }
  QuietFileNull(const QuietFileNull&) = delete;
  QuietFileNull& operator=(const QuietFileNull&) = delete;

 private:
  MPI_Errhandler kept_ = MPI_ERRORS_RETURN;
};

/// Data access through an individual or explicit-offset call is erroneous on a file opened
/// with MPI_MODE_SEQUENTIAL (the shim's own handle is opened without it, so that the
/// shared file pointer can use explicit offsets); the error for such a call, or MPI_SUCCESS.
inline int sequential_refusal(File& file, const char* function) {
  if ((file.amode & MPI_MODE_SEQUENTIAL) == 0) return MPI_SUCCESS;
  return raise(file, MPI_ERR_UNSUPPORTED_OPERATION, function, "the file was opened with MPI_MODE_SEQUENTIAL");
}

}  // namespace ferry::mpi
