#include "mpi_shim/world.hpp"

namespace ferry::mpi {

namespace detail {
constinit World world_instance;
constinit thread_local bool inside_shim __attribute__((tls_model("initial-exec"))) = false;
}  // namespace detail

ShimScope::ShimScope() noexcept : outer_(detail::inside_shim) { detail::inside_shim = true; }
ShimScope::~ShimScope() { detail::inside_shim = outer_; }

}  // namespace ferry::mpi
