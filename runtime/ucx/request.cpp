#include "runtime/ucx/request.hpp"

#include "runtime/common/error.hpp"
#include "runtime/ucx/status.hpp"

namespace ferry::ucx {

ucs_status_t wait_request(ucs_status_ptr_t request, Waiter& waiter, Deadline deadline) {
  if (request == nullptr) return UCS_OK;
  if (UCS_PTR_IS_ERR(request)) return UCS_PTR_STATUS(request);
  const bool completed = waiter.wait_until(
      [request] { return ucp_request_check_status(request) != UCS_INPROGRESS; }, deadline);
  if (!completed) {
    ucp_request_cancel(waiter.worker().raw(), request);
    ucp_request_free(request);
    return UCS_ERR_TIMED_OUT;
  }
  const ucs_status_t status = ucp_request_check_status(request);
  ucp_request_free(request);
  return status;
}

void complete(ucs_status_ptr_t request, Waiter& waiter, std::string_view operation,
              Deadline deadline) {
  const ucs_status_t status = wait_request(request, waiter, deadline);
  if (status == UCS_ERR_TIMED_OUT) {
    throw Error(Errc::timeout, std::string(operation) + ": timed out");
  }
  check(status, operation);
}

void release(ucs_status_ptr_t request) noexcept {
  if (request != nullptr && !UCS_PTR_IS_ERR(request)) ucp_request_free(request);
}

}  // namespace ferry::ucx
