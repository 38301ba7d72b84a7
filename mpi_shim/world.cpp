#include "mpi_shim/world.hpp"

namespace ferry::mpi {

namespace {
thread_local bool inside = false;
}

World& world() noexcept {
  static World instance;
  return instance;
}

bool inside_shim() noexcept { return inside; }

ShimScope::ShimScope() noexcept : outer_(inside) { inside = true; }
ShimScope::~ShimScope() { inside = outer_; }

}  // namespace ferry::mpi
