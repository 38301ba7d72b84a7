#pragma once
// Errors on hybrid objects go through the communicator's error handler, like Open MPI's.

#include <mpi.h>

#include <string>

namespace ferry::mpi {

struct Comm;

/// Applies `comm`'s error handler (MPI_ERRORS_ARE_FATAL ends the job with a message that
/// names `function`); returns `code` when the handler returns. `comm` may be null (world).
int raise(Comm* comm, int code, const char* function, const std::string& detail = {});

/// The error for a function the shim does not support on a hybrid object; its
/// MPI_Error_string reads "<function> is not supported on communicators with function ranks".
int unsupported(Comm* comm, const char* function);

/// The function of an error handler made by MPI_Comm_create_errhandler, or nullptr.
MPI_Comm_errhandler_function* user_errhandler(MPI_Errhandler handler) noexcept;
void remember_user_errhandler(MPI_Errhandler handler, MPI_Comm_errhandler_function* function);

/// Ends the whole job with `message` and exit code `code` (MPI_Abort's path).
[[noreturn]] void abort_job(int code, const std::string& message);

}  // namespace ferry::mpi
