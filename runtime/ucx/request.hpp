#pragma once
// Completion of UCX non-blocking calls without callbacks: the request is polled with
// ucp_request_check_status, so a timed-out wait can release it safely and nothing is
// allocated by Ferry on the way.

#include <ucp/api/ucp.h>

#include <atomic>
#include <string_view>

#include "runtime/common/deadline.hpp"
#include "runtime/ucx/waiter.hpp"

namespace ferry::ucx {

/// Waits until the result of an *_nbx call completes; returns its final status, or
/// UCS_ERR_TIMED_OUT after cancelling and releasing it when `deadline` passes.
ucs_status_t wait_request(ucs_status_ptr_t request, Waiter& waiter,
                          Deadline deadline = Deadline::never());
/// The same, giving up with UCS_ERR_CANCELED once `stop` is set (by another thread).
ucs_status_t wait_request(ucs_status_ptr_t request, Waiter& waiter, const std::atomic<bool>& stop);

/// wait_request() that throws a Ferry error naming `operation` on failure.
void complete(ucs_status_ptr_t request, Waiter& waiter, std::string_view operation,
              Deadline deadline = Deadline::never());

/// Releases a request whose completion nobody waits for.
void release(ucs_status_ptr_t request) noexcept;

}  // namespace ferry::ucx
