#pragma once
// The one place where UCX statuses become Ferry errors.

#include <ucs/type/status.h>

#include <string_view>

namespace ferry::ucx {

/// Throws ferry::Error(Errc::transport, or Errc::unreachable for connection failures)
/// naming `operation` when `status` is not UCS_OK or UCS_INPROGRESS.
void check(ucs_status_t status, std::string_view operation);

/// Throws the Ferry error for `status` (which must be a failure) naming `operation`.
[[noreturn]] void raise(ucs_status_t status, std::string_view operation);

/// True for statuses that mean "the peer is gone or cannot be reached".
bool is_connection_failure(ucs_status_t status) noexcept;

}  // namespace ferry::ucx
