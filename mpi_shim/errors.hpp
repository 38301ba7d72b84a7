#pragma once
// Errors on hybrid objects go through the communicator's error handler, like Open MPI's.

#include <mpi.h>
#include <ucs/type/status.h>

#include <exception>
#include <string>

namespace ferry::mpi {

struct Comm;
struct File;
struct Window;

/// Applies `comm`'s error handler (MPI_ERRORS_ARE_FATAL ends the job with a message that
/// names `function`); returns `code` when the handler returns. `comm` may be null (world).
int raise(Comm* comm, int code, const char* function, const std::string& detail = {});

/// The same for a hybrid window and a hybrid file (whose default handler is MPI_ERRORS_RETURN).
int raise(Window& window, int code, const char* function, const std::string& detail = {});
int raise(File& file, int code, const char* function, const std::string& detail = {});

/// The same for a native communicator (Open MPI's, which holds its own error handler):
/// MPI_ERRORS_ARE_FATAL ends the job with the shim's message, other handlers are Open MPI's.
int raise_native(MPI_Comm comm, int code, const char* function, const std::string& detail = {});
/// raise() or raise_native(), whichever `comm` needs.
int raise_on(MPI_Comm comm, int code, const char* function, const std::string& detail = {});

/// An error code of class `error_class` whose MPI_Error_string is `text` (made once per text).
int explained_code(int error_class, const std::string& text);

/// The error for a function the shim does not support on a hybrid object; its
/// MPI_Error_string reads "<function> is not supported on communicators with function ranks".
int unsupported(Comm* comm, const char* function);
/// That error's code, to raise on a window or a file.
int unsupported_code(const char* function);

/// An error handler written in Fortran: SUBROUTINE HANDLER(COMM, ERROR_CODE).
using FortranErrhandler = void(MPI_Fint* comm, MPI_Fint* code);

/// Error handlers made by MPI_Comm/Win/File_create_errhandler, which raise() calls on
/// hybrid objects.
void remember_user_errhandler(MPI_Errhandler handler, MPI_Comm_errhandler_function* function);
void remember_user_errhandler(MPI_Errhandler handler, MPI_Win_errhandler_function* function);
void remember_user_errhandler(MPI_Errhandler handler, MPI_File_errhandler_function* function);
void remember_user_errhandler(MPI_Errhandler handler, FortranErrhandler* function);

/// The one mapping of UCX statuses and Ferry errors to MPI error classes. A cancelled
/// operation is a success: its status says it was cancelled.
int error_class_of(ucs_status_t status) noexcept;
int error_class_of(const std::exception& error) noexcept;
/// The same for the port operations (connect, accept, join, close): a port that fails or
/// cannot be reached (Errc::unreachable) is MPI_ERR_PORT.
int port_error_class(const std::exception& error) noexcept;

/// A native communicator of this process alone whose errors return: Open MPI's own argument
/// checks, asked through it, answer without reaching the program's error handlers.
MPI_Comm quiet_comm() noexcept;

/// Ends the whole job with `message` and exit code `code` (MPI_Abort's path).
[[noreturn]] void abort_job(int code, const std::string& message);

}  // namespace ferry::mpi
