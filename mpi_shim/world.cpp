#include "mpi_shim/world.hpp"

namespace ferry::mpi {

namespace {
// Read on every MPI call: initial-exec makes it one load (the shim is loaded at start-up,
// preloaded or linked, so static TLS has room for it).
constinit thread_local bool inside __attribute__((tls_model("initial-exec"))) = false;
}

World& world() noexcept {
  static World instance;
  return instance;
}

bool inside_shim() noexcept { return inside; }

ShimScope::ShimScope() noexcept : outer_(inside) { inside = true; }
ShimScope::~ShimScope() { inside = outer_; }

}  // namespace ferry::mpi
