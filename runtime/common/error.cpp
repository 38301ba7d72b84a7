#include "runtime/common/error.hpp"

#include <cerrno>
#include <cstring>

namespace ferry {

std::string_view errc_name(Errc code) noexcept {
  switch (code) {
    case Errc::ok: return "ok";
    case Errc::invalid_argument: return "invalid argument";
    case Errc::protocol: return "protocol error";
    case Errc::unauthorized: return "unauthorized";
    case Errc::expired: return "expired";
    case Errc::no_resources: return "no resources";
    case Errc::unreachable: return "unreachable";
    case Errc::timeout: return "timeout";
    case Errc::executor_dead: return "executor dead";
    case Errc::function_failed: return "function failed";
    case Errc::not_found: return "not found";
    case Errc::system: return "system error";
    case Errc::transport: return "transport error";
  }
  return "unknown error";
}

void throw_system_error(std::string_view operation) {
  const int saved = errno;
  throw Error(Errc::system, std::string(operation) + ": " + std::strerror(saved));
}

}  // namespace ferry
