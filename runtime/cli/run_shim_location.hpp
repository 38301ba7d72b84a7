#pragma once
// Locating libferry_mpi.so, the PMPI shim that `ferry run` preloads into batch ranks.

#include <string>

namespace ferry::cli {

/// FERRY_MPI_SHIM when set, else the build tree, else the install prefix next to (or
/// configured for) the running executable. Throws Error(not_found) naming every place
/// it looked.
std::string find_mpi_shim();

}  // namespace ferry::cli
