#pragma once
// What the fuzz targets, their replay driver and the seed generator share.

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "runtime/common/error.hpp"
#include "runtime/lease/secret.hpp"

namespace ferry::fuzz {

using Bytes = std::vector<std::byte>;

inline Bytes bytes_of(const uint8_t* data, size_t size) {
  const auto* first = reinterpret_cast<const std::byte*>(data);
  return Bytes(first, first + size);
}

/// The lease secret token_fuzzer verifies under, 32 bytes of 'F'. Secret has no
/// constructor from bytes, so it goes through a 0600 file.
inline lease::Secret fixed_secret() {
  char path[] = "/tmp/ferry-fuzz-secret-XXXXXX";
  const int fd = mkstemp(path);
  const std::string bytes(lease::Secret::size, 'F');
  if (fd < 0 || write(fd, bytes.data(), bytes.size()) != static_cast<ssize_t>(bytes.size())) {
    std::abort();
  }
  close(fd);
  lease::Secret secret = lease::Secret::load(path);
  unlink(path);
  return secret;
}

/// Runs `decode(bytes)`: returns what it decoded, or nothing when it refused the input
/// with Error(protocol). Any other failure aborts.
template <class Decode, class Input>
auto decoded_or_refused(Decode&& decode, const Input& bytes) -> std::optional<decltype(decode(bytes))> {
  try {
    return decode(bytes);
  } catch (const Error& error) {
    if (error.code() != Errc::protocol) std::abort();
  }
  return std::nullopt;
}

}  // namespace ferry::fuzz
