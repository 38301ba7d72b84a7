#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace ferry::ucx {

/// A "host:port" pair; port 0 asks the kernel for a free port when listening.
struct SocketAddress {
  std::string host;
  uint16_t port = 0;

  /// Parses "host:port" (or "[v6]:port"); throws Error(invalid_argument) when malformed.
  static SocketAddress parse(std::string_view text);
  std::string to_string() const;
  /// Resolves host to a sockaddr; throws Error(unreachable) when it does not resolve.
  sockaddr_storage resolve(socklen_t& length) const;
};

}  // namespace ferry::ucx
