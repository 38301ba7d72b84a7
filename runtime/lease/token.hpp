#pragma once
// Lease tokens: the manager signs {lease id, spawner, cores, memory, expiry, owner,
// owner's uid, gid, user name and how they were proven} with HMAC-SHA256 under the
// cluster secret; spawners verify before running anything.

#include <array>
#include <cstdint>
#include <string>

#include "runtime/lease/secret.hpp"

namespace ferry::lease {

using Mac = std::array<uint8_t, 32>;

/// A uid or gid that names nobody ((uid_t)-1, which no account can have).
inline constexpr uint32_t no_id = 0xFFFFFFFF;

/// How the granter learnt the owner's uid and gid.
enum class OwnerProof : uint8_t {
  none = 0,     ///< no uid or gid: the request named none
  claimed = 1,  ///< as the client said (a granter without authentication)
  munge = 2,    ///< from a munge credential the granter decoded
};

/// Who owns a lease, as the granter established it.
struct OwnerIdentity {
  uint32_t uid = no_id;
  uint32_t gid = no_id;
  std::string user;
  OwnerProof proof = OwnerProof::none;
};

/// The right to use `cores` cores and `memory_mib` MiB on one spawner until `expiry_unix_ms`.
struct Token {
  uint64_t lease_id = 0;
  std::string spawner_id;
  uint32_t cores = 0;
  uint32_t memory_mib = 0;
  uint64_t expiry_unix_ms = 0;
  std::string owner;  ///< the leasing session, "<host>:<pid>" by default
  uint32_t owner_uid = no_id;
  uint32_t owner_gid = no_id;
  std::string owner_user;  ///< the user name, for people to read; the uid is what counts
  OwnerProof owner_proof = OwnerProof::none;
  Mac mac{};

  bool operator==(const Token&) const = default;
  OwnerIdentity owner_identity() const { return {owner_uid, owner_gid, owner_user, owner_proof}; }
};

/// Milliseconds since the Unix epoch, the clock every expiry is measured on.
uint64_t now_unix_ms();

/// Computes and stores the MAC of every other field of `token`.
void sign(Token& token, const Secret& secret);

/// Throws Error(unauthorized) when the MAC does not match (constant-time compare),
/// and Error(expired) when `now_ms` is at or past the expiry.
void verify(const Token& token, const Secret& secret, uint64_t now_ms);

}  // namespace ferry::lease
