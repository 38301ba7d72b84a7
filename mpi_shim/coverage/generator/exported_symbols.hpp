#pragma once
// The functions a shared library exports, as `nm -D --defined-only` lists them.

#include <set>
#include <string>

namespace ferry::mpi::coverage::generator {

/// Defined dynamic function symbols of `library`, read with the `nm` program at `nm`.
/// Throws std::runtime_error when nm cannot be run or fails.
std::set<std::string> exported_functions(const std::string& nm, const std::string& library);

}  // namespace ferry::mpi::coverage::generator
