#pragma once
// Attribute caching on hybrid communicators, with the callbacks of keyvals made by
// MPI_Comm_create_keyval or MPI-1's MPI_Keyval_create (which also make the keyval in Open
// MPI, for native ones).

#include <mpi.h>

namespace ferry::mpi {

struct Comm;

/// The attribute callbacks of a keyval made in Fortran (MPI_COMM_CREATE_KEYVAL).
using FortranCopyFunction = void(MPI_Fint* comm, MPI_Fint* keyval, MPI_Aint* extra_state, MPI_Aint* value_in,
                                 MPI_Aint* value_out, MPI_Fint* flag, MPI_Fint* ierror);
using FortranDeleteFunction = void(MPI_Fint* comm, MPI_Fint* keyval, MPI_Aint* value, MPI_Aint* extra_state,
                                   MPI_Fint* ierror);
void remember_fortran_keyval(int keyval, FortranCopyFunction* copy, FortranDeleteFunction* remove,
                             MPI_Aint extra_state);

/// The callbacks of a keyval made by MPI-1's MPI_KEYVAL_CREATE: attribute values and extra
/// state are default INTEGERs.
using FortranIntegerCopyFunction = void(MPI_Fint* comm, MPI_Fint* keyval, MPI_Fint* extra_state, MPI_Fint* value_in,
                                        MPI_Fint* value_out, MPI_Fint* flag, MPI_Fint* ierror);
using FortranIntegerDeleteFunction = void(MPI_Fint* comm, MPI_Fint* keyval, MPI_Fint* value, MPI_Fint* extra_state,
                                          MPI_Fint* ierror);
void remember_fortran_integer_keyval(int keyval, FortranIntegerCopyFunction* copy,
                                     FortranIntegerDeleteFunction* remove, MPI_Fint extra_state);

/// Runs the copy callbacks of `from`'s attributes into `to` (MPI_Comm_dup).
int copy_attributes(Comm& from, MPI_Comm from_handle, Comm& to);
/// Runs the delete callbacks of every attribute of `comm` (MPI_Comm_free).
int delete_attributes(Comm& comm, MPI_Comm handle);

}  // namespace ferry::mpi
