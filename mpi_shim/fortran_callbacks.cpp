// Fortran's MPI_COMM_CREATE_KEYVAL and MPI_COMM_CREATE_ERRHANDLER: Open MPI makes the
// keyval or error handler (so that its own communicators call the Fortran functions the
// Fortran way), and the shim remembers the functions for hybrid communicators.

#include <mpi.h>

#include "mpi_shim/attributes.hpp"
#include "mpi_shim/errors.hpp"
#include "mpi_shim/surface/fortran.hpp"
#include "mpi_shim/surface/implementations.hpp"

namespace ferry::mpi::fortran_impl {

void MPI_Comm_create_keyval(void* comm_copy_attr_fn, void* comm_delete_attr_fn, MPI_Fint* comm_keyval,
                            MPI_Aint* extra_state, MPI_Fint* ierror) {
  using OpenMpiEntry = void (*)(void*, void*, MPI_Fint*, MPI_Aint*, MPI_Fint*);
  static const auto open_mpi = fortran::open_mpi<OpenMpiEntry>("ompi_comm_create_keyval_f");
  MPI_Fint code = MPI_SUCCESS;
  open_mpi(comm_copy_attr_fn, comm_delete_attr_fn, comm_keyval, extra_state, &code);
  if (code == MPI_SUCCESS) {
    remember_fortran_keyval(*comm_keyval, reinterpret_cast<FortranCopyFunction*>(comm_copy_attr_fn),
                            reinterpret_cast<FortranDeleteFunction*>(comm_delete_attr_fn), *extra_state);
  }
  if (ierror) *ierror = code;
}

void MPI_Comm_create_errhandler(void* function, MPI_Fint* errhandler, MPI_Fint* ierror) {
  using OpenMpiEntry = void (*)(void*, MPI_Fint*, MPI_Fint*);
  static const auto open_mpi = fortran::open_mpi<OpenMpiEntry>("ompi_comm_create_errhandler_f");
  MPI_Fint code = MPI_SUCCESS;
  open_mpi(function, errhandler, &code);
  if (code == MPI_SUCCESS)
    remember_user_errhandler(PMPI_Errhandler_f2c(*errhandler), reinterpret_cast<FortranErrhandler*>(function));
  if (ierror) *ierror = code;
}

}  // namespace ferry::mpi::fortran_impl
