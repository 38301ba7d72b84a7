#include "mpi_shim/threads.hpp"

namespace ferry::mpi {

constinit bool detail::threads_share_shim = false;
constinit thread_local bool detail::holds_shim_lock = false;
std::mutex detail::shim_mutex;

void share_shim_between_threads() noexcept { detail::threads_share_shim = true; }

}  // namespace ferry::mpi
