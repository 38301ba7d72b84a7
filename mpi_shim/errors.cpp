#include "mpi_shim/errors.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <map>

#include "mpi_shim/communicator.hpp"
#include "mpi_shim/io/file.hpp"
#include "mpi_shim/rma/window.hpp"
#include "mpi_shim/surface/fortran.hpp"
#include "mpi_shim/world.hpp"
#include "runtime/common/error.hpp"

namespace ferry::mpi {

namespace {

// A handler made by MPI_Comm/Win/File_create_errhandler, which the shim calls itself on
// its objects. `c` has the C signature of the kind of object it was made for.
struct UserErrhandler {
  void (*c)() = nullptr;
  FortranErrhandler* fortran = nullptr;
};
std::map<MPI_Errhandler, UserErrhandler> user_handlers;
std::map<std::string, int, std::less<>> unsupported_codes;
std::map<std::string, int, std::less<>> explained_codes;

std::string error_string(int code) {
  char text[MPI_MAX_ERROR_STRING] = {};
  int length = 0;
  if (PMPI_Error_string(code, text, &length) != MPI_SUCCESS) return "error " + std::to_string(code);
  return std::string(text, size_t(length));
}

// Applies `handler` to the object `handle` (of type Handle) on the error `code`.
template <class Handle>
int apply(MPI_Errhandler handler, Handle handle, int code, const char* function, const std::string& detail,
          const std::string& object) {
  if (handler == MPI_ERRORS_RETURN) return code;
  if (const auto user = user_handlers.find(handler); user != user_handlers.end()) {
    if (user->second.c) {
      reinterpret_cast<void (*)(Handle*, int*, ...)>(user->second.c)(&handle, &code);
    } else {
      MPI_Fint fortran_handle = fortran::to_fortran(handle);
      MPI_Fint fortran_code = code;
      user->second.fortran(&fortran_handle, &fortran_code);
    }
    return code;
  }
  std::string message = error_string(code);
  if (message.find(function) == std::string::npos) message += std::string(" in ") + function;
  if (!detail.empty()) message += " (" + detail + ")";
  message += " on " + object;
  abort_job(code, message);
}

}  // namespace

int raise(Comm* comm, int code, const char* function, const std::string& detail) {
  if (code == MPI_SUCCESS) return code;
  Comm& target = comm != nullptr ? *comm : world_comm();
  return apply(target.errhandler, handle_of(&target), code, function, detail,
               target.name.empty() ? std::string("a communicator with function ranks") : target.name);
}

int raise(Window& window, int code, const char* function, const std::string& detail) {
  if (code == MPI_SUCCESS) return code;
  return apply(window.errhandler, handle_of(&window), code, function, detail,
               window.name.empty() ? std::string("a window with function ranks") : "window " + window.name);
}

int raise(File& file, int code, const char* function, const std::string& detail) {
  if (code == MPI_SUCCESS) return code;
  return apply(file.errhandler, handle_of(&file), code, function, detail, "file " + file.name);
}

int unsupported_code(const char* function) {
  auto found = unsupported_codes.find(function);
  if (found == unsupported_codes.end()) {
    int error_class = MPI_ERR_UNSUPPORTED_OPERATION, code = MPI_ERR_UNSUPPORTED_OPERATION;
    if (PMPI_Add_error_class(&error_class) == MPI_SUCCESS && PMPI_Add_error_code(error_class, &code) == MPI_SUCCESS) {
      const std::string text = std::string(function) + " is not supported on communicators with function ranks";
      PMPI_Add_error_string(code, text.c_str());
      PMPI_Add_error_string(error_class, text.c_str());
    }
    found = unsupported_codes.emplace(function, code).first;
  }
  return found->second;
}

int explained_code(int error_class, const std::string& text) {
  auto found = explained_codes.find(text);
  if (found == explained_codes.end()) {
    int code = error_class;
    if (PMPI_Add_error_code(error_class, &code) == MPI_SUCCESS) {
      PMPI_Add_error_string(code, text.c_str());
    } else {
      code = error_class;
    }
    found = explained_codes.emplace(text, code).first;
  }
  return found->second;
}

int raise_native(MPI_Comm comm, int code, const char* function, const std::string& detail) {
  if (code == MPI_SUCCESS) return code;
  MPI_Errhandler handler = MPI_ERRHANDLER_NULL;
  if (comm == MPI_COMM_NULL || PMPI_Comm_get_errhandler(comm, &handler) != MPI_SUCCESS) {
    comm = MPI_COMM_WORLD;
    PMPI_Comm_get_errhandler(comm, &handler);
  }
  const bool fatal = handler == MPI_ERRORS_ARE_FATAL;
  const bool returns = handler == MPI_ERRORS_RETURN;
  if (handler != MPI_ERRHANDLER_NULL) PMPI_Errhandler_free(&handler);
  if (returns) return code;
  if (fatal) {
    std::string message = error_string(code);
    if (message.find(function) == std::string::npos) message += std::string(" in ") + function;
    if (!detail.empty()) message += " (" + detail + ")";
    abort_job(code, message);
  }
  PMPI_Comm_call_errhandler(comm, code);
  return code;
}

int raise_on(MPI_Comm comm, int code, const char* function, const std::string& detail) {
  if (Comm* shim = hybrid(comm)) return raise(shim, code, function, detail);
  return raise_native(comm, code, function, detail);
}

int unsupported(Comm* comm, const char* function) { return raise(comm, unsupported_code(function), function); }

MPI_Comm quiet_comm() noexcept {
  static const MPI_Comm comm = [] {
    MPI_Comm made = MPI_COMM_NULL;
    if (PMPI_Comm_dup(MPI_COMM_SELF, &made) == MPI_SUCCESS) PMPI_Comm_set_errhandler(made, MPI_ERRORS_RETURN);
    return made;
  }();
  return comm;
}

void abort_job(int code, const std::string& message) {
  std::fprintf(stderr, "ferry: rank %d: %s\n", world().rank, message.c_str());
  std::fflush(stdout);
  std::fflush(stderr);
  const int exit_code = code == 0 ? 1 : code;
  int initialized = 0, finalized = 0;
  PMPI_Initialized(&initialized);
  PMPI_Finalized(&finalized);
  if (world().role != Role::function && initialized && !finalized) {
    // In a Slurm job step, the abort has slurmstepd kill every task at once, and the
    // message above can be cut off on its way to srun: it gets a moment first.
    if (std::getenv("SLURM_STEP_ID") != nullptr) ::usleep(300'000);
    PMPI_Abort(MPI_COMM_WORLD, exit_code);
  }
  ::_exit(exit_code);
}

int error_class_of(ucs_status_t status) noexcept {
  switch (status) {
    case UCS_OK:
    case UCS_ERR_CANCELED: return MPI_SUCCESS;
    case UCS_ERR_MESSAGE_TRUNCATED: return MPI_ERR_TRUNCATE;
    case UCS_ERR_NO_MEMORY: return MPI_ERR_NO_MEM;
    default: return MPI_ERR_OTHER;
  }
}

int error_class_of(const std::exception& error) noexcept {
  const auto* ferry_error = dynamic_cast<const Error*>(&error);
  if (ferry_error == nullptr) return MPI_ERR_INTERN;
  switch (ferry_error->code()) {
    case Errc::invalid_argument: return MPI_ERR_ARG;
    case Errc::no_resources: return MPI_ERR_NO_MEM;
    case Errc::not_found: return MPI_ERR_NAME;
    default: return MPI_ERR_OTHER;
  }
}

int port_error_class(const std::exception& error) noexcept {
  const auto* ferry_error = dynamic_cast<const Error*>(&error);
  if (ferry_error != nullptr && ferry_error->code() == Errc::unreachable) return MPI_ERR_PORT;
  if (ferry_error != nullptr && ferry_error->code() == Errc::invalid_argument) return MPI_ERR_ARG;
  return MPI_ERR_INTERN;
}

void remember_user_errhandler(MPI_Errhandler handler, MPI_Comm_errhandler_function* function) {
  user_handlers[handler] = {reinterpret_cast<void (*)()>(function), nullptr};
}

void remember_user_errhandler(MPI_Errhandler handler, MPI_Win_errhandler_function* function) {
  user_handlers[handler] = {reinterpret_cast<void (*)()>(function), nullptr};
}

void remember_user_errhandler(MPI_Errhandler handler, MPI_File_errhandler_function* function) {
  user_handlers[handler] = {reinterpret_cast<void (*)()>(function), nullptr};
}

void remember_user_errhandler(MPI_Errhandler handler, FortranErrhandler* function) {
  user_handlers[handler] = {nullptr, function};
}

}  // namespace ferry::mpi
