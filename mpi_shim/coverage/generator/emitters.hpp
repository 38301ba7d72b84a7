#pragma once
// Writes the generated sources: the function table and the guards.

#include <ostream>
#include <vector>

#include "classification.hpp"

namespace ferry::mpi::coverage::generator {

/// function_table.cpp: the constexpr table behind mpi_shim/coverage/function_table.hpp.
void emit_function_table(std::ostream& out, const std::vector<Classified>& table);

/// guards.cpp: one MPI_Xxx per unsupported function, refusing shim objects and calling
/// PMPI_Xxx otherwise. Throws std::runtime_error for a prototype it cannot forward.
void emit_guards(std::ostream& out, const std::vector<Classified>& table);

}  // namespace ferry::mpi::coverage::generator
