#pragma once
// The book of spawners and leases kept by whoever grants leases: the manager, or a
// stand-alone spawner that grants leases on itself.

#include <cstdint>
#include <algorithm>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "runtime/lease/secret.hpp"
#include "runtime/lease/token.hpp"
#include "runtime/wire/messages.hpp"

namespace ferry::lease {

struct SpawnerRecord {
  std::string id;
  std::string address;
  uint32_t cores = 0;
  uint32_t memory_mib = 0;
  uint32_t cores_leased = 0;
  uint32_t memory_leased_mib = 0;
  std::string node;  ///< the host name of its node
  /// False while it misses heartbeats: it keeps its leases but is given no new ones.
  bool responding = true;
  uint64_t joined_unix_ms = 0;
  /// Why it said it is going (its node is reclaimed); empty while it stays. A leaving
  /// spawner's leases have ended and it gets no new ones.
  std::string leaving_reason = {};
  bool leaving() const noexcept { return !leaving_reason.empty(); }
};

/// A spawner that left or was lost, as `ferry status` keeps showing it for a while.
struct DepartedSpawner {
  SpawnerRecord spawner;
  std::string reason;
  uint64_t left_unix_ms = 0;
};

/// The memory a lease of `cores` cores gets on `spawner` when it asks for `memory_mib`:
/// that much, or for 0 a fair share, the spawner's memory times `cores` over its cores
/// (at least 1 MiB, never more than is free). 0 when the spawner has none to give.
uint32_t memory_to_grant(const SpawnerRecord& spawner, uint32_t cores, uint32_t memory_mib) noexcept;

enum class LeaseState { active, released, expired, revoked };

struct LeaseRecord {
  Token token;
  std::string spawner_address;
  std::string node;  ///< the host name of the spawner's node
  LeaseState state = LeaseState::active;
  std::string end_reason;
  uint64_t granted_unix_ms = 0;
  uint64_t ended_unix_ms = 0;
  uint32_t executors = 0;
  wire::Usage usage;

  /// Cores times the time the lease was held, up to `now_ms` while it is active.
  double billed_core_seconds(uint64_t now_ms) const;
};

/// What LeaseTable::adopt made of a token a spawner presents when it registers.
enum class Adoption {
  adopted,  ///< unknown here, valid: now an active lease again
  known,    ///< already active here
  ended,    ///< ended here (the spawner must end it too)
  refused,  ///< not valid: forged, expired, or for another spawner
};

/// Totals over every lease a table has granted, the forgotten ones included.
struct Accounting {
  uint64_t leases = 0;
  uint64_t executors = 0;
  wire::Usage usage;  ///< sums; peak_memory_kib is the largest peak
  double billed_core_seconds = 0;

  /// Adds a lease: its usage, and what it is billed until `now_ms` (or its end).
  void add(const LeaseRecord& lease, uint64_t now_ms);
};

class LeaseTable {
 public:
  static constexpr uint32_t max_duration_ms = 24U * 3600U * 1000U;

  explicit LeaseTable(Secret secret) : secret_(secret) {}

  /// Registers a spawner (again); the active leases on it count against its resources.
  void add_spawner(const SpawnerRecord& spawner);
  /// A spawner says it is going: its active leases end as revoked with `reason` and it
  /// gets no new ones. Returns the ids of the leases that ended.
  std::vector<uint64_t> spawner_leaving(const std::string& spawner_id, const std::string& reason, uint64_t now_ms);
  /// Forgets a spawner; its active leases end as revoked. It is kept among the departed
  /// spawners with `reason`, or with the reason it gave when it said it was leaving.
  /// Returns the ids of the leases that ended.
  std::vector<uint64_t> remove_spawner(const std::string& spawner_id, uint64_t now_ms,
                                       const std::string& reason = "connection lost");
  const std::map<std::string, SpawnerRecord>& spawners() const noexcept { return spawners_; }
  /// The spawners that left most recently (a bounded number), oldest first.
  const std::deque<DepartedSpawner>& departed_spawners() const noexcept { return departed_; }
  /// Marks a spawner as answering or silent; returns whether that changed anything.
  bool set_responding(const std::string& spawner_id, bool responding);

  /// Grants a lease on the spawner with the most free cores that fits the request;
  /// `memory_mib` 0 asks for a fair share (memory_to_grant), which the token then names.
  /// A `placement` (a spawner's id or its node's name) limits the choice to those it names.
  const LeaseRecord& grant(const std::string& owner, uint32_t cores, uint32_t memory_mib,
                           uint32_t duration_ms, uint64_t now_ms, const std::string& placement = {},
                           const OwnerIdentity& identity = {});
  /// Takes a valid token that a registered spawner serves back into the table (after the
  /// granting process restarted); see Adoption.
  Adoption adopt(const Token& token, const std::string& spawner_id, uint64_t now_ms);
  /// Puts back an active lease kept from before a restart; its cores count against its
  /// spawner once that spawner registers.
  void restore(const LeaseRecord& lease);
  uint64_t next_lease_id() const noexcept { return next_lease_id_; }
  /// Lease ids granted from now on are above `lease_id`.
  void reserve_ids_through(uint64_t lease_id) noexcept { next_lease_id_ = std::max(next_lease_id_, lease_id + 1); }
  /// Extends an active lease to now + duration and re-signs its token; `proof` must be the
  /// MAC of its current token (Error unauthorized otherwise).
  const LeaseRecord& renew(uint64_t lease_id, uint32_t duration_ms, uint64_t now_ms, const Mac& proof);
  /// Whether `proof` is the MAC of the lease's current token: the sender holds the lease.
  bool held_with(uint64_t lease_id, const Mac& proof) const;
  /// Ends an active lease; returns false when it was not active.
  bool end(uint64_t lease_id, LeaseState state, const std::string& reason, uint64_t now_ms);
  /// Ends every active lease whose expiry has passed; returns their ids.
  std::vector<uint64_t> expire(uint64_t now_ms);
  /// Adds an executor's usage to its lease.
  void add_usage(uint64_t lease_id, const wire::Usage& usage);
  Accounting accounting(uint64_t now_ms) const;
  /// The part of accounting() that the leases no longer active add up to.
  Accounting ended_accounting() const;
  /// Puts back what ended leases were billed before a restart (their records are gone).
  void restore_ended_accounting(const Accounting& ended) { forgotten_ = ended; }

  const LeaseRecord* find(uint64_t lease_id) const;
  const std::map<uint64_t, LeaseRecord>& leases() const noexcept { return leases_; }
  /// Earliest expiry of an active lease, if any.
  std::optional<uint64_t> next_expiry_ms() const;

  /// The whole table as JSON, as `ferry status` shows it.
  nlohmann::json to_json(uint64_t now_ms) const;

 private:
  /// Ends the active leases on a spawner as revoked; returns their ids.
  std::vector<uint64_t> end_leases_on(const std::string& spawner_id, const std::string& reason, uint64_t now_ms);
  SpawnerRecord* choose_spawner(uint32_t cores, uint32_t memory_mib, const std::string& placement);
  void release_resources(const LeaseRecord& lease);

  Secret secret_;
  std::map<std::string, SpawnerRecord> spawners_;
  std::deque<DepartedSpawner> departed_;
  std::map<uint64_t, LeaseRecord> leases_;
  std::deque<uint64_t> ended_order_;  ///< ended leases still in leases_, oldest end first
  Accounting forgotten_;              ///< what the ended leases dropped from leases_ added up to
  uint64_t next_lease_id_ = 1;
};

std::string_view lease_state_name(LeaseState state) noexcept;

}  // namespace ferry::lease
