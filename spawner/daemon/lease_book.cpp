#include "spawner/daemon/lease_book.hpp"

#include "runtime/common/error.hpp"
#include "runtime/lease/lease_table.hpp"

namespace ferry::spawner {

void LeaseBook::verify(const lease::Token& token, uint64_t now_ms) const {
  lease::verify(token, secret_, now_ms);
  if (token.spawner_id != spawner_id_) {
    throw Error(Errc::unauthorized, "lease " + std::to_string(token.lease_id) + " is for spawner '" +
                                        token.spawner_id + "', not this one ('" + spawner_id_ + "')");
  }
  if (ended_.contains(token.lease_id)) {
    throw Error(Errc::expired, "lease " + std::to_string(token.lease_id) + " has ended");
  }
}

LeaseUse& LeaseBook::admit(const lease::Token& token, uint32_t cores, uint32_t memory_mib, uint64_t now_ms) {
  verify(token, now_ms);
  if (cores == 0) throw Error(Errc::invalid_argument, "an executor needs at least one core");
  LeaseUse& use = active_.try_emplace(token.lease_id, LeaseUse{token, 0, 0}).first->second;
  highest_lease_id_ = std::max(highest_lease_id_, token.lease_id);
  if (use.token.expiry_unix_ms < token.expiry_unix_ms) use.token = token;
  if (use.cores_used + cores > token.cores || use.memory_used_mib + memory_mib > token.memory_mib) {
    throw Error(Errc::no_resources,
                "lease " + std::to_string(token.lease_id) + " allows " + std::to_string(token.cores) +
                    " cores and " + std::to_string(token.memory_mib) + " MiB; " +
                    std::to_string(use.cores_used) + " cores and " + std::to_string(use.memory_used_mib) +
                    " MiB are in use, " + std::to_string(cores) + " cores and " +
                    std::to_string(memory_mib) + " MiB more were asked");
  }
  use.cores_used += cores;
  use.memory_used_mib += memory_mib;
  return use;
}

void LeaseBook::give_back(uint64_t lease_id, uint32_t cores, uint32_t memory_mib) {
  LeaseUse* use = find(lease_id);
  if (use == nullptr) return;
  use->cores_used -= std::min(use->cores_used, cores);
  use->memory_used_mib -= std::min(use->memory_used_mib, memory_mib);
}

LeaseUse& LeaseBook::renew(const lease::Token& token, uint64_t now_ms) {
  verify(token, now_ms);
  LeaseUse& use = active_.try_emplace(token.lease_id, LeaseUse{token, 0, 0}).first->second;
  if (token.cores != use.token.cores || token.memory_mib != use.token.memory_mib ||
      token.owner != use.token.owner || token.owner_uid != use.token.owner_uid ||
      token.owner_gid != use.token.owner_gid) {
    throw Error(Errc::unauthorized, "renewed token of lease " + std::to_string(token.lease_id) +
                                        " does not match the lease");
  }
  if (token.expiry_unix_ms > use.token.expiry_unix_ms) use.token = token;
  return use;
}

void LeaseBook::end(uint64_t lease_id, uint64_t now_ms) {
  while (!forget_ended_.empty() && forget_ended_.front().first <= now_ms) {
    ended_.erase(forget_ended_.front().second);
    forget_ended_.pop_front();
  }
  active_.erase(lease_id);
  highest_lease_id_ = std::max(highest_lease_id_, lease_id);
  if (ended_.insert(lease_id).second) {
    forget_ended_.emplace_back(now_ms + lease::LeaseTable::max_duration_ms, lease_id);
  }
}

LeaseUse* LeaseBook::find(uint64_t lease_id) {
  const auto found = active_.find(lease_id);
  return found == active_.end() ? nullptr : &found->second;
}

uint32_t LeaseBook::cores_used() const {
  uint32_t total = 0;
  for (const auto& [id, use] : active_) total += use.cores_used;
  return total;
}

uint32_t LeaseBook::memory_used_mib() const {
  uint32_t total = 0;
  for (const auto& [id, use] : active_) total += use.memory_used_mib;
  return total;
}

}  // namespace ferry::spawner
