#pragma once

#include <cstddef>
#include <span>
#include <string>

namespace ferry {

/// Hex SHA-256 of `bytes` (OpenSSL), the content hash shipped libraries are cached by.
std::string sha256_hex(std::span<const std::byte> bytes);

}  // namespace ferry
