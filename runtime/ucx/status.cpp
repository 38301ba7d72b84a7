#include "runtime/ucx/status.hpp"

#include <string>

#include "runtime/common/error.hpp"

namespace ferry::ucx {

bool is_connection_failure(ucs_status_t status) noexcept {
  switch (status) {
    case UCS_ERR_UNREACHABLE:
    case UCS_ERR_CONNECTION_RESET:
    case UCS_ERR_REJECTED:
    case UCS_ERR_ENDPOINT_TIMEOUT:
    case UCS_ERR_NOT_CONNECTED:
    case UCS_ERR_CANCELED:
      return true;
    default:
      return false;
  }
}

void raise(ucs_status_t status, std::string_view operation) {
  const Errc code = is_connection_failure(status) ? Errc::unreachable : Errc::transport;
  throw Error(code, std::string(operation) + ": " + ucs_status_string(status));
}

void check(ucs_status_t status, std::string_view operation) {
  if (status != UCS_OK && status != UCS_INPROGRESS) raise(status, operation);
}

}  // namespace ferry::ucx
