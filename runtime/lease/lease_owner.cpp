#include "runtime/lease/lease_owner.hpp"

#include <pwd.h>

#include <vector>

#include "runtime/common/error.hpp"
#include "runtime/lease/munge_credential.hpp"
#include "runtime/wire/codec.hpp"

namespace ferry::lease {

Authentication parse_authentication(const std::string& text) {
  if (text == "none") return Authentication::none;
  if (text == "munge") return Authentication::munge;
  throw Error(Errc::invalid_argument, "unknown authentication '" + text + "' (known: none, munge)");
}

std::string_view authentication_name(Authentication authentication) noexcept {
  return authentication == Authentication::munge ? "munge" : "none";
}

std::string lease_request_payload(const wire::LeaseRequest& request) {
  wire::Writer writer;
  writer.string("ferry lease request v1");
  writer.u64(request.request_id);
  writer.string(request.owner);
  writer.u32(request.cores);
  writer.u32(request.memory_mib);
  writer.u32(request.duration_ms);
  writer.string(request.placement);
  const std::vector<std::byte> bytes = writer.take();
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

std::string user_name_of(uint32_t uid) {
  std::vector<char> buffer(16384);
  passwd entry{};
  passwd* found = nullptr;
  if (::getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &found) == 0 && found != nullptr) return found->pw_name;
  return "uid " + std::to_string(uid);
}

OwnerIdentity establish_owner(const OwnerCheck& check, const wire::LeaseRequest& request) {
  if (check.authentication == Authentication::none) {
    const OwnerProof proof = request.claimed_uid == no_id ? OwnerProof::none : OwnerProof::claimed;
    return {request.claimed_uid, request.claimed_gid, request.claimed_user, proof};
  }
  if (request.credential.empty()) {
    throw Error(Errc::unauthorized,
                "this cluster proves lease owners with munge, and the request carries no munge credential "
                "(is munged running where the client runs, and does it share the cluster's munge key?)");
  }
  const MungeIdentity identity = decode_munge_credential(check.munge_socket, request.credential);
  if (identity.payload != lease_request_payload(request)) {
    throw Error(Errc::unauthorized, "the munge credential was made for another request");
  }
  return {identity.uid, identity.gid, user_name_of(identity.uid), OwnerProof::munge};
}

}  // namespace ferry::lease
