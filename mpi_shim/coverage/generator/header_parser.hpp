#pragma once
// Reads the MPI_* function prototypes out of Open MPI's mpi.h.

#include <string_view>
#include <vector>

#include "prototype.hpp"

namespace ferry::mpi::coverage::generator {

/// Every `OMPI_DECLSPEC <type> MPI_Xxx(...)` declaration of `header`, once each, sorted by
/// name. Declarations under #if are all included; the caller filters on exported symbols.
/// Throws std::runtime_error on a declaration it cannot make sense of.
std::vector<Prototype> parse_mpi_header(std::string_view header);

/// Splits one parameter declaration (`const MPI_Request array_of_requests[]`).
Parameter parse_parameter(std::string_view text);

}  // namespace ferry::mpi::coverage::generator
