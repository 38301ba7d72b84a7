// What a hybrid window tells about itself: its group, name, info and error handler.

#include <mpi.h>

#include <cstring>

#include "mpi_shim/communicator.hpp"
#include "mpi_shim/errors.hpp"
#include "mpi_shim/rma/window.hpp"
#include "mpi_shim/surface/implementations.hpp"

using namespace ferry::mpi;

int ferry::mpi::impl::MPI_Win_get_group(MPI_Win win, MPI_Group* group) {
  *group = make_group(hybrid(win)->comm->group.members);
  return MPI_SUCCESS;
}

int ferry::mpi::impl::MPI_Win_set_name(MPI_Win win, const char* name) {
  hybrid(win)->name.assign(name, strnlen(name, MPI_MAX_OBJECT_NAME - 1));
  return MPI_SUCCESS;
}

int ferry::mpi::impl::MPI_Win_get_name(MPI_Win win, char* name, int* length) {
  const Window& window = *hybrid(win);
  std::memcpy(name, window.name.c_str(), window.name.size() + 1);
  *length = int(window.name.size());
  return MPI_SUCCESS;
}

int ferry::mpi::impl::MPI_Win_set_info(MPI_Win win, MPI_Info info) {
  Window& window = *hybrid(win);
  if (info == MPI_INFO_NULL) return raise(window, MPI_ERR_INFO, "MPI_Win_set_info");
  MPI_Info copy = MPI_INFO_NULL;
  if (const int code = PMPI_Info_dup(info, &copy)) return raise(window, code, "MPI_Win_set_info");
  PMPI_Info_free(&window.info);
  window.info = copy;
  return MPI_SUCCESS;
}

int ferry::mpi::impl::MPI_Win_get_info(MPI_Win win, MPI_Info* info) {
  Window& window = *hybrid(win);
  if (const int code = PMPI_Info_dup(window.info, info)) return raise(window, code, "MPI_Win_get_info");
  return MPI_SUCCESS;
}

int ferry::mpi::impl::MPI_Win_create_errhandler(MPI_Win_errhandler_function* function, MPI_Errhandler* handler) {
  const int result = PMPI_Win_create_errhandler(function, handler);
  if (result == MPI_SUCCESS) remember_user_errhandler(*handler, function);
  return result;
}

int ferry::mpi::impl::MPI_Win_set_errhandler(MPI_Win win, MPI_Errhandler handler) {
  hybrid(win)->errhandler = handler;
  return MPI_SUCCESS;
}

int ferry::mpi::impl::MPI_Win_get_errhandler(MPI_Win win, MPI_Errhandler* handler) {
  *handler = hybrid(win)->errhandler.new_reference();
  return MPI_SUCCESS;
}

int ferry::mpi::impl::MPI_Win_call_errhandler(MPI_Win win, int code) {
  raise(*hybrid(win), code, "MPI_Win_call_errhandler");
  return MPI_SUCCESS;
}
