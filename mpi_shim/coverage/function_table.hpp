#pragma once
// The table of every MPI_* function of Open MPI's mpi.h and what the shim does with it.
// The table itself is generated at build time (function_table.cpp in the build tree).

#include <span>
#include <string_view>

namespace ferry::mpi::coverage {

enum class Status : unsigned char {
  implemented,  ///< the shim defines it by hand
  passthrough,  ///< takes no communicator, group or request: Open MPI serves it
  unsupported,  ///< a generated guard refuses shim objects and forwards the rest to PMPI_*
};

struct FunctionEntry {
  std::string_view name;
  Status status;
};

struct CoverageCounts {
  int implemented = 0;
  int passthrough = 0;
  int unsupported = 0;

  int total() const noexcept { return implemented + passthrough + unsupported; }
};

/// Every MPI_* function mpi.h declares and libmpi exports, sorted by name.
std::span<const FunctionEntry> mpi_functions() noexcept;
/// How many functions have each status.
CoverageCounts coverage_counts() noexcept;

/// "implemented", "pass-through" or "unsupported-on-hybrid".
constexpr std::string_view status_name(Status status) noexcept {
  switch (status) {
    case Status::implemented: return "implemented";
    case Status::passthrough: return "pass-through";
    case Status::unsupported: return "unsupported-on-hybrid";
  }
  return "unknown";
}

}  // namespace ferry::mpi::coverage
