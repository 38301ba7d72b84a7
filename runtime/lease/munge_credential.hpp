#pragma once
// Munge credentials, as Slurm uses them: the local munged vouches for the uid and gid of
// the process that asked for a credential; any munged sharing the site's key decodes it,
// once (a second decode is a replay), within its time to live.

#include <cstdint>
#include <string>
#include <string_view>

namespace ferry::lease {

/// Environment variable naming munged's socket when no option does.
inline constexpr const char* munge_socket_variable = "FERRY_MUNGE_SOCKET";

/// The socket to use: `configured` if set, else FERRY_MUNGE_SOCKET, else empty (munge's default).
std::string munge_socket_path(const std::string& configured);

/// Who a credential was made by, and what it carries.
struct MungeIdentity {
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::string payload;
};

/// A credential of this process's uid and gid carrying `payload`. Throws
/// Error(unauthorized) with munge's reason when munged cannot make one.
std::string encode_munge_credential(const std::string& socket, std::string_view payload);

/// Decodes `credential`. Throws Error(unauthorized) naming why it is not valid: malformed,
/// made under another key, expired, from the future, or already decoded once (replayed).
MungeIdentity decode_munge_credential(const std::string& socket, const std::string& credential);

}  // namespace ferry::lease
