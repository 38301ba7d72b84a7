// The Fortran entry points that need more than converted arguments.
// MPI_COMM_CREATE_KEYVAL, MPI_KEYVAL_CREATE, MPI_COMM/WIN_CREATE_ERRHANDLER: Open MPI makes
// the keyval or error handler (so that its own communicators call the Fortran functions the
// Fortran way), and the shim remembers the functions for hybrid communicators.
// MPI_COMM_IDUP: the new communicator reaches the Fortran variable when the request
// completes, converted then.

#include <mpi.h>

#include "mpi_shim/attributes.hpp"
#include "mpi_shim/communicator.hpp"
#include "mpi_shim/errors.hpp"
#include "mpi_shim/surface/fortran.hpp"
#include "mpi_shim/surface/hybrid_check.hpp"
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

void MPI_Keyval_create(void* copy_fn, void* delete_fn, MPI_Fint* keyval, MPI_Fint* extra_state, MPI_Fint* ierror) {
  using OpenMpiEntry = void (*)(void*, void*, MPI_Fint*, MPI_Fint*, MPI_Fint*);
  static const auto open_mpi = fortran::open_mpi<OpenMpiEntry>("ompi_keyval_create_f");
  MPI_Fint code = MPI_SUCCESS;
  open_mpi(copy_fn, delete_fn, keyval, extra_state, &code);
  if (code == MPI_SUCCESS) {
    remember_fortran_integer_keyval(*keyval, reinterpret_cast<FortranIntegerCopyFunction*>(copy_fn),
                                    reinterpret_cast<FortranIntegerDeleteFunction*>(delete_fn), *extra_state);
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

void MPI_Win_create_errhandler(void* function, MPI_Fint* errhandler, MPI_Fint* ierror) {
  using OpenMpiEntry = void (*)(void*, MPI_Fint*, MPI_Fint*);
  static const auto open_mpi = fortran::open_mpi<OpenMpiEntry>("ompi_win_create_errhandler_f");
  MPI_Fint code = MPI_SUCCESS;
  open_mpi(function, errhandler, &code);
  if (code == MPI_SUCCESS)
    remember_user_errhandler(PMPI_Errhandler_f2c(*errhandler), reinterpret_cast<FortranErrhandler*>(function));
  if (ierror) *ierror = code;
}

void MPI_Comm_idup(MPI_Fint* comm, MPI_Fint* newcomm, MPI_Fint* request, MPI_Fint* ierror) {
  if (!fortran::shim_comm(comm)) {
    using OpenMpiEntry = void (*)(MPI_Fint*, MPI_Fint*, MPI_Fint*, MPI_Fint*);
    static const auto open_mpi = fortran::open_mpi<OpenMpiEntry>("ompi_comm_idup_f");
    return open_mpi(comm, newcomm, request, ierror);
  }
  const MPI_Comm parent = fortran::to_c<MPI_Comm>(*comm);
  surface::HybridCheck check;
  check.check(parent);
  const int code = check.run("MPI_Comm_idup", [&] {
    *newcomm = fortran::to_fortran(MPI_COMM_NULL);
    MPI_Request started = MPI_REQUEST_NULL;
    const int result =
        start_idup(parent, [newcomm](MPI_Comm created) { *newcomm = fortran::to_fortran(created); }, &started);
    if (result == MPI_SUCCESS) *request = fortran::to_fortran(started);
    return result;
  });
  if (ierror) *ierror = code;
}

}  // namespace ferry::mpi::fortran_impl
