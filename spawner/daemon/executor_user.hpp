#pragma once
// Who the executors of a lease run as. A spawner run as root runs them as the lease's
// owner, proven with munge, never as root unless allowed; a spawner run as an ordinary
// user runs them as itself, and serves only leases of that same user.

#include <cstdint>
#include <optional>

#include "runtime/lease/token.hpp"
#include "spawner/process/process_spec.hpp"

namespace ferry::spawner {

/// The identity to switch to for `token`'s executors; none: run them as the spawner's
/// own user (`spawner_uid`). Throws Error(unauthorized) saying why this spawner will not
/// run them at all: no owner, an owner only claimed (not proven), root without
/// `allow_root_owner`, a user this node does not know, or (an ordinary spawner) another user.
std::optional<ProcessIdentity> executor_identity(const lease::Token& token, uint32_t spawner_uid,
                                                 bool allow_root_owner);

}  // namespace ferry::spawner
