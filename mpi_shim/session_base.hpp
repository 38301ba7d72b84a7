#pragma once
// Open MPI's isolated singletons, which function ranks are, all put their session
// directory at <base>/ompi.<host>.<uid>/jf.0, and two that start at once race to create it
// ("mkdir ... File exists", and orte_init fails). Each function rank gets a base of its own.

#include <string>

namespace ferry::mpi {

/// Makes a private directory in the lease's directory (else $TMPDIR or /tmp) and points
/// Open MPI's session directories there (OMPI_MCA_orte_tmpdir_base), unless the user chose
/// a base already; returns the directory, or nothing in that case.
/// Throws Error(system) when the directory cannot be made.
std::string use_private_session_base();

/// Removes that directory and what Open MPI left in it (after PMPI_Finalize).
void remove_private_session_base() noexcept;

}  // namespace ferry::mpi
