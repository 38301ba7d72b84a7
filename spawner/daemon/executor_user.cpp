#include "spawner/daemon/executor_user.hpp"

#include <grp.h>
#include <pwd.h>

#include <string>
#include <vector>

#include "runtime/common/error.hpp"

namespace ferry::spawner {
namespace {

std::string who(const lease::Token& token) {
  const std::string name = token.owner_user.empty() ? "" : token.owner_user + " ";
  return name + "(uid " + std::to_string(token.owner_uid) + ")";
}

[[noreturn]] void refuse(const lease::Token& token, const std::string& why) {
  throw Error(Errc::unauthorized, "lease " + std::to_string(token.lease_id) + ": " + why);
}

std::vector<gid_t> supplementary_groups(const char* user, gid_t gid) {
  int count = 32;
  std::vector<gid_t> groups(static_cast<size_t>(count));
  while (::getgrouplist(user, gid, groups.data(), &count) < 0) groups.resize(static_cast<size_t>(count));
  groups.resize(static_cast<size_t>(count));
  return groups;
}

}  // namespace

std::optional<ProcessIdentity> executor_identity(const lease::Token& token, uint32_t spawner_uid,
                                                 bool allow_root_owner) {
  if (token.owner_uid == lease::no_id || token.owner_proof == lease::OwnerProof::none) {
    refuse(token, "the lease names no owner uid, so this spawner cannot tell whose executors to run");
  }
  if (spawner_uid != 0) {
    if (token.owner_uid != spawner_uid) {
      refuse(token, "it belongs to " + who(token) + ", but this spawner runs as uid " + std::to_string(spawner_uid) +
                        " and serves only that user's leases (run the spawner as root to serve every user)");
    }
    return std::nullopt;
  }
  if (token.owner_uid == 0) {
    if (!allow_root_owner) {
      refuse(token, "it belongs to root, and this spawner runs no executor as root (see --allow-root-owner)");
    }
    return std::nullopt;
  }
  if (token.owner_proof != lease::OwnerProof::munge) {
    refuse(token, "its owner " + who(token) + " was claimed, not proven: a spawner run as root switches only to "
                  "owners proven with munge (run the manager with --auth munge)");
  }
  std::vector<char> buffer(16384);
  passwd entry{};
  passwd* found = nullptr;
  if (::getpwuid_r(token.owner_uid, &entry, buffer.data(), buffer.size(), &found) != 0 || found == nullptr) {
    refuse(token, "its owner " + who(token) + " is not a user on this node");
  }
  const gid_t gid = token.owner_gid == lease::no_id ? found->pw_gid : token.owner_gid;
  return ProcessIdentity{token.owner_uid, gid, supplementary_groups(found->pw_name, gid), found->pw_name,
                         found->pw_dir};
}

}  // namespace ferry::spawner
