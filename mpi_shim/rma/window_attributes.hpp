#pragma once
// Attributes of user keyvals on hybrid windows, with the delete callbacks of keyvals made
// by MPI_Win_create_keyval (which also makes the keyval in Open MPI, for native windows).

#include <mpi.h>

#include "mpi_shim/rma/window.hpp"

namespace ferry::mpi::rma {

/// The delete callback of a keyval made in Fortran (MPI_WIN_CREATE_KEYVAL).
using FortranWinDeleteFunction = void(MPI_Fint* win, MPI_Fint* keyval, MPI_Aint* value, MPI_Aint* extra_state,
                                      MPI_Fint* ierror);
void remember_fortran_win_keyval(int keyval, FortranWinDeleteFunction* remove, MPI_Aint extra_state);

/// Runs the delete callbacks of every attribute of `window` (MPI_Win_free).
int delete_window_attributes(Window& window);

}  // namespace ferry::mpi::rma
