#include "mpi_shim/coverage/hybrid_check.hpp"

#include "mpi_shim/communicator.hpp"
#include "mpi_shim/errors.hpp"
#include "mpi_shim/request.hpp"

namespace ferry::mpi::coverage {

void HybridCheck::check(MPI_Comm comm) noexcept {
  if (Comm* shim = hybrid(comm)) {
    if (!comm_) comm_ = shim;
    found_ = true;
  }
}

void HybridCheck::check(MPI_Group group) noexcept {
  if (hybrid(group)) found_ = true;
}

void HybridCheck::check(MPI_Request request) noexcept {
  if (Request* shim = shim_request(request)) {
    if (!comm_) comm_ = shim->comm;
    found_ = true;
  }
}

void HybridCheck::check(const MPI_Request* requests, int count) noexcept {
  if (!requests) return;
  for (int i = 0; i < count; ++i) check(requests[i]);
}

int HybridCheck::refuse(const char* function) const noexcept {
  try {
    return unsupported(comm_, function);
  } catch (...) {
    return MPI_ERR_OTHER;
  }
}

}  // namespace ferry::mpi::coverage
