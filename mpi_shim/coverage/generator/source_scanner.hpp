#pragma once
// Finds the MPI_* functions the shim defines by hand.

#include <set>
#include <string>
#include <string_view>

namespace ferry::mpi::coverage::generator {

/// Names of the `extern "C"` functions called MPI_* that `source` defines (with a body),
/// either declared `extern "C" ... MPI_Xxx(...) {` or inside an `extern "C" { ... }` block.
std::set<std::string> hand_written_definitions(std::string_view source);

}  // namespace ferry::mpi::coverage::generator
