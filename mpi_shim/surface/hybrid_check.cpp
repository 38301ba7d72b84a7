#include "mpi_shim/surface/hybrid_check.hpp"

#include "mpi_shim/communicator.hpp"
#include "mpi_shim/request.hpp"
#include "mpi_shim/world.hpp"

namespace ferry::mpi {
bool is_shim_message(MPI_Message handle) noexcept;  // probe.cpp
}

namespace ferry::mpi::surface {

void HybridCheck::check(MPI_Group group) noexcept {
  if (hybrid(group)) found_ = true;
}

void HybridCheck::check(MPI_Request request) noexcept {
  if (!world().hybrid()) return;
  if (Request* shim = shim_request(request)) {
    if (!comm_) comm_ = shim->comm;
    found_ = true;
  } else if (stale_request(request)) {
    found_ = true;  // the implementation rejects it; Open MPI would take it for one of its own
  }
}

void HybridCheck::check(MPI_Message message) noexcept {
  if (is_shim_message(message)) found_ = true;
}

void HybridCheck::check(const MPI_Request* requests, int count) noexcept {
  if (!requests || !world().hybrid()) return;
  for (int i = 0; i < count; ++i) check(requests[i]);
}

int HybridCheck::fail(int code, const char* function, const char* detail) const noexcept {
  try {
    if (window_) return raise(*window_, code, function, detail);
    if (file_) return raise(*file_, code, function, detail);
    return raise(comm_, code, function, detail);
  } catch (...) {
    return code;
  }
}

int HybridCheck::refuse(const char* function) const noexcept {
  try {
    if (window_ || file_) return fail(unsupported_code(function), function, "");
    return unsupported(comm_, function);
  } catch (...) {
    return MPI_ERR_OTHER;
  }
}

}  // namespace ferry::mpi::surface
