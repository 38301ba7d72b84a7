#pragma once
// How a granter (the manager, or a stand-alone spawner) learns who asks for a lease.
// Without authentication it takes the uid and gid the client claims; with munge it takes
// them from the request's credential, which must be valid, fresh, never decoded before,
// and carry the request's own terms.

#include <string>

#include "runtime/lease/token.hpp"
#include "runtime/wire/messages.hpp"

namespace ferry::lease {

enum class Authentication {
  none,   ///< the owner is who the client says it is (one user, or a trusted network)
  munge,  ///< the owner is who munged says made the request's credential
};

struct OwnerCheck {
  Authentication authentication = Authentication::none;
  std::string munge_socket;  ///< empty: munge's default socket
};

/// Parses "none" or "munge"; throws Error(invalid_argument) otherwise.
Authentication parse_authentication(const std::string& text);
std::string_view authentication_name(Authentication authentication) noexcept;

/// What a client's credential carries: the terms of its request, so that a credential
/// cannot be moved to another request.
std::string lease_request_payload(const wire::LeaseRequest& request);

/// The owner of `request` under `check`. Throws Error(unauthorized) with a reason the
/// client can act on when munge is required and the credential is missing or not valid.
OwnerIdentity establish_owner(const OwnerCheck& check, const wire::LeaseRequest& request);

/// The login name of `uid` in this machine's user database, or "uid N" when it has none.
std::string user_name_of(uint32_t uid);

}  // namespace ferry::lease
