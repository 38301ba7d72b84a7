#pragma once
// Lease tokens: the manager signs {lease id, spawner, cores, memory, expiry, owner}
// with HMAC-SHA256 under the cluster secret; spawners verify before running anything.

#include <array>
#include <cstdint>
#include <string>

#include "runtime/lease/secret.hpp"

namespace ferry::lease {

using Mac = std::array<uint8_t, 32>;

/// The right to use `cores` cores and `memory_mib` MiB on one spawner until `expiry_unix_ms`.
struct Token {
  uint64_t lease_id = 0;
  std::string spawner_id;
  uint32_t cores = 0;
  uint32_t memory_mib = 0;
  uint64_t expiry_unix_ms = 0;
  std::string owner;
  Mac mac{};

  bool operator==(const Token&) const = default;
};

/// Milliseconds since the Unix epoch, the clock every expiry is measured on.
uint64_t now_unix_ms();

/// Computes and stores the MAC of every other field of `token`.
void sign(Token& token, const Secret& secret);

/// Throws Error(unauthorized) when the MAC does not match (constant-time compare),
/// and Error(expired) when `now_ms` is at or past the expiry.
void verify(const Token& token, const Secret& secret, uint64_t now_ms);

}  // namespace ferry::lease
