#include "runtime/common/sha256.hpp"

#include <openssl/evp.h>

#include "runtime/common/error.hpp"
#include "runtime/common/hex.hpp"

namespace ferry {

std::string sha256_hex(std::span<const std::byte> bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr) != 1) {
    throw Error(Errc::system, "EVP_Digest(sha256) failed");
  }
  return to_hex(std::as_bytes(std::span(digest, length)));
}

}  // namespace ferry
