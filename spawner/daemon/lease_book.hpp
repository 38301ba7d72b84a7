#pragma once
// What a spawner knows of the leases it serves: verified tokens, what each uses now,
// and which have ended (so a replayed token of an ended lease is refused).

#include <cstdint>
#include <deque>
#include <map>
#include <set>
#include <string>
#include <utility>

#include "runtime/lease/secret.hpp"
#include "runtime/lease/token.hpp"

namespace ferry::spawner {

struct LeaseUse {
  lease::Token token;
  uint32_t cores_used = 0;
  uint32_t memory_used_mib = 0;
};

class LeaseBook {
 public:
  LeaseBook(std::string spawner_id, lease::Secret secret)
      : spawner_id_(std::move(spawner_id)), secret_(secret) {}

  /// Checks that `token` is signed, unexpired, for this spawner and not ended. Throws
  /// Error(unauthorized | expired) saying why.
  void verify(const lease::Token& token, uint64_t now_ms) const;
  /// Verifies `token` and reserves `cores` and `memory_mib` under it. Throws
  /// Error(unauthorized | expired | no_resources | invalid_argument) saying why.
  LeaseUse& admit(const lease::Token& token, uint32_t cores, uint32_t memory_mib, uint64_t now_ms);
  /// Gives back what an executor of `lease_id` reserved.
  void give_back(uint64_t lease_id, uint32_t cores, uint32_t memory_mib);
  /// Replaces a lease's token by a renewed one (same lease, verified).
  LeaseUse& renew(const lease::Token& token, uint64_t now_ms);
  /// Marks a lease ended; its token is refused from now on. An ended lease is remembered
  /// for as long as a token signed before its end can be valid (the longest lease), so
  /// what the book keeps is bounded by the leases of one such period.
  void end(uint64_t lease_id, uint64_t now_ms);

  LeaseUse* find(uint64_t lease_id);
  const std::map<uint64_t, LeaseUse>& active() const noexcept { return active_; }
  /// The highest lease id this book has admitted or ended.
  uint64_t highest_lease_id() const noexcept { return highest_lease_id_; }
  uint32_t cores_used() const;
  uint32_t memory_used_mib() const;

 private:

  std::string spawner_id_;
  lease::Secret secret_;
  std::map<uint64_t, LeaseUse> active_;
  std::set<uint64_t> ended_;
  uint64_t highest_lease_id_ = 0;
  std::deque<std::pair<uint64_t, uint64_t>> forget_ended_;  ///< (when, lease id), oldest first
};

}  // namespace ferry::spawner
