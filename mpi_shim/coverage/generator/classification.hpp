#pragma once
// Decides, for each MPI function, whether the shim implements it, lets Open MPI serve it,
// or guards it against shim objects.

#include <set>
#include <string>
#include <vector>

#include "prototype.hpp"

namespace ferry::mpi::coverage::generator {

enum class Disposition { implemented, passthrough, unsupported };

/// An argument a guard must look at before handing the call to PMPI_*.
struct HandleCheck {
  enum class Kind { value, in_out_pointer, array } kind;
  std::string argument;
  std::string count;  ///< for arrays: the parameter holding the element count
};

struct Classified {
  Prototype prototype;
  Disposition disposition = Disposition::passthrough;
  std::vector<HandleCheck> checks;  ///< filled for unsupported functions
};

/// The MPI_Comm / MPI_Group / MPI_Request arguments of `prototype` that may carry a shim
/// object on entry (output-only handle pointers are left out). Throws std::runtime_error
/// when a handle argument has a shape the guards cannot check.
std::vector<HandleCheck> handle_checks(const Prototype& prototype);

/// Classifies every prototype; `implemented` are the shim's hand-written definitions.
std::vector<Classified> classify(std::vector<Prototype> prototypes, const std::set<std::string>& implemented);

}  // namespace ferry::mpi::coverage::generator
