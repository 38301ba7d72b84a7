#include "runtime/ucx/request.hpp"

#include "runtime/common/error.hpp"
#include "runtime/ucx/status.hpp"

namespace ferry::ucx {

namespace {
// Releases `request`, cancelling it first when it is still in progress.
ucs_status_t finish(ucs_status_ptr_t request, Waiter& waiter, ucs_status_t abandoned) {
  ucs_status_t status = ucp_request_check_status(request);
  if (status == UCS_INPROGRESS) {
    ucp_request_cancel(waiter.worker().raw(), request);
    status = abandoned;
  }
  ucp_request_free(request);
  return status;
}
}  // namespace

ucs_status_t wait_request(ucs_status_ptr_t request, Waiter& waiter, Deadline deadline) {
  if (request == nullptr) return UCS_OK;
  if (UCS_PTR_IS_ERR(request)) return UCS_PTR_STATUS(request);
  waiter.wait_until([request] { return ucp_request_check_status(request) != UCS_INPROGRESS; }, deadline);
  return finish(request, waiter, UCS_ERR_TIMED_OUT);
}

ucs_status_t wait_request(ucs_status_ptr_t request, Waiter& waiter, const std::atomic<bool>& stop) {
  if (request == nullptr) return UCS_OK;
  if (UCS_PTR_IS_ERR(request)) return UCS_PTR_STATUS(request);
  waiter.wait_until([&] { return ucp_request_check_status(request) != UCS_INPROGRESS || stop.load(); });
  return finish(request, waiter, UCS_ERR_CANCELED);
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
