#pragma once
// Ferry's one error type. Every failure inside C++ code is an ferry::Error that
// names the operation that failed and carries a category the C API and the
// wire protocol can transport.

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace ferry {

/// Categories of failure; the numeric values travel on the wire and through the C API.
enum class Errc : int32_t {
  ok = 0,
  invalid_argument = 1,  ///< the caller asked for something malformed
  protocol = 2,          ///< a peer sent a malformed or unexpected message
  unauthorized = 3,      ///< a lease token failed verification
  expired = 4,           ///< a lease is past its expiry or was revoked
  no_resources = 5,      ///< not enough free cores or memory
  unreachable = 6,       ///< a peer could not be reached
  timeout = 7,           ///< an operation did not complete in time
  executor_dead = 8,     ///< the executor process has exited or crashed
  function_failed = 9,   ///< the invoked function returned an error
  not_found = 10,        ///< a named file, function or object does not exist
  system = 11,           ///< an operating-system call failed
  transport = 12,        ///< UCX reported an error
};

/// Short name of an error category ("timeout", "unauthorized", ...).
std::string_view errc_name(Errc code) noexcept;

/// Exception thrown for every Ferry failure.
class Error : public std::runtime_error {
 public:
  Error(Errc code, const std::string& what) : std::runtime_error(what), code_(code) {}
  Errc code() const noexcept { return code_; }

 private:
  Errc code_;
};

/// Throws Error(Errc::system) naming `operation` and the current errno.
[[noreturn]] void throw_system_error(std::string_view operation);

}  // namespace ferry
