// Error handlers of hybrid files. Open MPI makes the handlers (so that its own files call
// them its way); the shim remembers their functions and calls them on its files, with the
// shim's handle.

#include <mpi.h>

#include "mpi_shim/errors.hpp"
#include "mpi_shim/io/file.hpp"
#include "mpi_shim/surface/fortran.hpp"
#include "mpi_shim/surface/implementations.hpp"

using namespace ferry::mpi;

int ferry::mpi::impl::MPI_File_create_errhandler(MPI_File_errhandler_function* function, MPI_Errhandler* handler) {
  const int result = PMPI_File_create_errhandler(function, handler);
  if (result == MPI_SUCCESS) remember_user_errhandler(*handler, function);
  return result;
}

int ferry::mpi::impl::MPI_File_set_errhandler(MPI_File fh, MPI_Errhandler handler) {
  hybrid(fh)->errhandler = handler;
  return MPI_SUCCESS;
}

int ferry::mpi::impl::MPI_File_get_errhandler(MPI_File fh, MPI_Errhandler* handler) {
  *handler = hybrid(fh)->errhandler.new_reference();
  return MPI_SUCCESS;
}

int ferry::mpi::impl::MPI_File_call_errhandler(MPI_File fh, int code) {
  raise(*hybrid(fh), code, "MPI_File_call_errhandler");
  return MPI_SUCCESS;
}

void ferry::mpi::fortran_impl::MPI_File_create_errhandler(void* function, MPI_Fint* errhandler, MPI_Fint* ierror) {
  using OpenMpiEntry = void (*)(void*, MPI_Fint*, MPI_Fint*);
  static const auto open_mpi = fortran::open_mpi<OpenMpiEntry>("ompi_file_create_errhandler_f");
  MPI_Fint code = MPI_SUCCESS;
  open_mpi(function, errhandler, &code);
  if (code == MPI_SUCCESS)
    remember_user_errhandler(PMPI_Errhandler_f2c(*errhandler), reinterpret_cast<FortranErrhandler*>(function));
  if (ierror) *ierror = code;
}
