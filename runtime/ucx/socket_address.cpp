#include "runtime/ucx/socket_address.hpp"

#include <netdb.h>

#include <charconv>
#include <cstring>

#include "runtime/common/error.hpp"

namespace ferry::ucx {

SocketAddress SocketAddress::parse(std::string_view text) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size()) {
    throw Error(Errc::invalid_argument,
                "address '" + std::string(text) + "' is not of the form host:port");
  }
  std::string_view host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  const std::string_view port_text = text.substr(colon + 1);
  unsigned port = 0;
  const auto [end, error] = std::from_chars(port_text.begin(), port_text.end(), port);
  if (error != std::errc() || end != port_text.end() || port > 65535) {
    throw Error(Errc::invalid_argument, "address '" + std::string(text) + "' has a bad port");
  }
  return SocketAddress{std::string(host), static_cast<uint16_t>(port)};
}

std::string SocketAddress::to_string() const {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

sockaddr_storage SocketAddress::resolve(socklen_t& length) const {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* result = nullptr;
  const std::string service = std::to_string(port);
  const int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &result);
  if (rc != 0 || result == nullptr) {
    throw Error(Errc::unreachable, "cannot resolve '" + host + "': " + ::gai_strerror(rc));
  }
  sockaddr_storage storage{};
  std::memcpy(&storage, result->ai_addr, result->ai_addrlen);
  length = result->ai_addrlen;
  ::freeaddrinfo(result);
  return storage;
}

}  // namespace ferry::ucx
