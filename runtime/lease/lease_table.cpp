#include "runtime/lease/lease_table.hpp"

#include <nlohmann/json.hpp>
#include <openssl/crypto.h>

#include "runtime/common/error.hpp"

namespace ferry::lease {

namespace {
constexpr size_t max_ended_leases_kept = 4096;
constexpr size_t max_departed_spawners_kept = 64;
}

void Accounting::add(const LeaseRecord& lease, uint64_t now_ms) {
  ++leases;
  executors += lease.executors;
  usage.wall_ns += lease.usage.wall_ns;
  usage.cpu_ns += lease.usage.cpu_ns;
  usage.hot_poll_ns += lease.usage.hot_poll_ns;
  usage.peak_memory_kib = std::max(usage.peak_memory_kib, lease.usage.peak_memory_kib);
  billed_core_seconds += lease.billed_core_seconds(now_ms);
}

double LeaseRecord::billed_core_seconds(uint64_t now_ms) const {
  const uint64_t end = state == LeaseState::active ? now_ms : ended_unix_ms;
  const uint64_t held_ms = end > granted_unix_ms ? end - granted_unix_ms : 0;
  return static_cast<double>(token.cores) * static_cast<double>(held_ms) / 1000.0;
}

uint32_t memory_to_grant(const SpawnerRecord& spawner, uint32_t cores, uint32_t memory_mib) noexcept {
  const uint32_t free_mib = spawner.memory_mib - std::min(spawner.memory_leased_mib, spawner.memory_mib);
  if (memory_mib != 0) return memory_mib <= free_mib ? memory_mib : 0;
  if (spawner.cores == 0) return 0;
  const uint64_t share = uint64_t(spawner.memory_mib) * cores / spawner.cores;
  return uint32_t(std::min<uint64_t>(std::max<uint64_t>(share, 1), free_mib));
}

std::string_view lease_state_name(LeaseState state) noexcept {
  switch (state) {
    case LeaseState::active: return "active";
    case LeaseState::released: return "released";
    case LeaseState::expired: return "expired";
    case LeaseState::revoked: return "revoked";
  }
  return "unknown";
}

void LeaseTable::add_spawner(const SpawnerRecord& spawner) {
  SpawnerRecord record = spawner;
  record.cores_leased = 0;
  record.memory_leased_mib = 0;
  for (const auto& [id, lease] : leases_) {
    if (lease.state != LeaseState::active || lease.token.spawner_id != spawner.id) continue;
    record.cores_leased += lease.token.cores;
    record.memory_leased_mib += lease.token.memory_mib;
  }
  spawners_[spawner.id] = record;
  std::erase_if(departed_, [&](const DepartedSpawner& departed) { return departed.spawner.id == spawner.id; });
}

void LeaseTable::restore(const LeaseRecord& lease) {
  LeaseRecord record = lease;
  record.state = LeaseState::active;
  if (const auto spawner = spawners_.find(record.token.spawner_id); spawner != spawners_.end()) {
    spawner->second.cores_leased += record.token.cores;
    spawner->second.memory_leased_mib += record.token.memory_mib;
  }
  leases_[record.token.lease_id] = record;
  reserve_ids_through(record.token.lease_id);
}

bool LeaseTable::set_responding(const std::string& spawner_id, bool responding) {
  const auto found = spawners_.find(spawner_id);
  if (found == spawners_.end() || found->second.responding == responding) return false;
  found->second.responding = responding;
  return true;
}

std::vector<uint64_t> LeaseTable::spawner_leaving(const std::string& spawner_id, const std::string& reason,
                                                  uint64_t now_ms) {
  const auto found = spawners_.find(spawner_id);
  if (found == spawners_.end()) return {};
  found->second.leaving_reason = reason;
  return end_leases_on(spawner_id, reason, now_ms);
}

std::vector<uint64_t> LeaseTable::remove_spawner(const std::string& spawner_id, uint64_t now_ms,
                                                 const std::string& reason) {
  std::vector<uint64_t> revoked = end_leases_on(spawner_id, "spawner " + spawner_id + " was lost", now_ms);
  const auto found = spawners_.find(spawner_id);
  if (found != spawners_.end()) {
    const SpawnerRecord& gone = found->second;
    departed_.push_back({gone, gone.leaving() ? gone.leaving_reason : reason, now_ms});
    if (departed_.size() > max_departed_spawners_kept) departed_.pop_front();
    spawners_.erase(found);
  }
  return revoked;
}

std::vector<uint64_t> LeaseTable::end_leases_on(const std::string& spawner_id, const std::string& reason,
                                                uint64_t now_ms) {
  std::vector<uint64_t> revoked;
  for (auto& [id, lease] : leases_) {
    if (lease.state == LeaseState::active && lease.token.spawner_id == spawner_id) revoked.push_back(id);
  }
  for (const uint64_t id : revoked) end(id, LeaseState::revoked, reason, now_ms);
  return revoked;
}

namespace {
bool placed_on(const SpawnerRecord& spawner, const std::string& placement) {
  return placement.empty() || placement == spawner.id || placement == spawner.node;
}
}  // namespace

SpawnerRecord* LeaseTable::choose_spawner(uint32_t cores, uint32_t memory_mib, const std::string& placement) {
  SpawnerRecord* best = nullptr;
  for (auto& [id, spawner] : spawners_) {
    if (!spawner.responding || spawner.leaving() || !placed_on(spawner, placement)) continue;
    const uint32_t free_cores = spawner.cores - spawner.cores_leased;
    if (free_cores < cores || memory_to_grant(spawner, cores, memory_mib) == 0) continue;
    if (best == nullptr || free_cores > best->cores - best->cores_leased) best = &spawner;
  }
  return best;
}

const LeaseRecord& LeaseTable::grant(const std::string& owner, uint32_t cores, uint32_t memory_mib,
                                     uint32_t duration_ms, uint64_t now_ms, const std::string& placement,
                                     const OwnerIdentity& identity) {
  if (cores == 0) throw Error(Errc::invalid_argument, "a lease needs at least one core");
  if (duration_ms == 0 || duration_ms > max_duration_ms) {
    throw Error(Errc::invalid_argument, "lease duration must be between 1 ms and 24 h");
  }
  SpawnerRecord* spawner = choose_spawner(cores, memory_mib, placement);
  if (spawner == nullptr) {
    uint32_t largest = 0, placed = 0;
    std::string known, silent;
    for (const auto& [id, record] : spawners_) {
      known += (known.empty() ? "" : ", ") + id + (record.node.empty() ? "" : " on " + record.node);
      if (!placed_on(record, placement)) continue;
      ++placed;
      if (!record.responding) {
        silent += (silent.empty() ? "" : ", ") + id;
        continue;
      }
      largest = std::max(largest, record.cores - record.cores_leased);
    }
    if (spawners_.empty()) throw Error(Errc::no_resources, "no spawner has registered with the manager");
    if (placed == 0) {
      throw Error(Errc::not_found, "no spawner is called " + placement + " or runs on a node of that name (spawners: " +
                                       (known.empty() ? "none" : known) + ")");
    }
    const std::string memory = memory_mib != 0 ? std::to_string(memory_mib) + " MiB" : "free memory";
    const std::string where = placement.empty() ? "no spawner" : "no spawner on " + placement;
    throw Error(Errc::no_resources, where + " has " + std::to_string(cores) + " free cores and " + memory +
                                        " (most free cores on one spawner: " +
                                        std::to_string(largest) + ", spawners: " +
                                        std::to_string(placed) +
                                        (silent.empty() ? "" : ", not answering heartbeats: " + silent) + ")");
  }
  const uint32_t granted_mib = memory_to_grant(*spawner, cores, memory_mib);
  spawner->cores_leased += cores;
  spawner->memory_leased_mib += granted_mib;

  LeaseRecord record;
  record.token = Token{next_lease_id_++, spawner->id, cores, granted_mib, now_ms + duration_ms, owner,
                       identity.uid, identity.gid, identity.user, identity.proof, {}};
  sign(record.token, secret_);
  record.spawner_address = spawner->address;
  record.node = spawner->node;
  record.granted_unix_ms = now_ms;
  return leases_[record.token.lease_id] = record;
}

Adoption LeaseTable::adopt(const Token& token, const std::string& spawner_id, uint64_t now_ms) {
  if (const auto found = leases_.find(token.lease_id); found != leases_.end()) {
    return found->second.state == LeaseState::active ? Adoption::known : Adoption::ended;
  }
  const auto spawner = spawners_.find(spawner_id);
  if (spawner == spawners_.end() || token.spawner_id != spawner_id) return Adoption::refused;
  try {
    verify(token, secret_, now_ms);
  } catch (const Error&) {
    return Adoption::refused;
  }
  spawner->second.cores_leased += token.cores;
  spawner->second.memory_leased_mib += token.memory_mib;
  LeaseRecord record;
  record.token = token;
  record.spawner_address = spawner->second.address;
  record.node = spawner->second.node;
  record.granted_unix_ms = now_ms;
  leases_[token.lease_id] = record;
  reserve_ids_through(token.lease_id);
  return Adoption::adopted;
}

bool LeaseTable::held_with(uint64_t lease_id, const Mac& proof) const {
  const auto found = leases_.find(lease_id);
  return found != leases_.end() && CRYPTO_memcmp(found->second.token.mac.data(), proof.data(), proof.size()) == 0;
}

const LeaseRecord& LeaseTable::renew(uint64_t lease_id, uint32_t duration_ms, uint64_t now_ms, const Mac& proof) {
  const auto found = leases_.find(lease_id);
  if (found == leases_.end()) throw Error(Errc::not_found, "no lease " + std::to_string(lease_id));
  if (!held_with(lease_id, proof)) {
    throw Error(Errc::unauthorized, "lease " + std::to_string(lease_id) +
                                        ": the renewal does not carry the lease's current token");
  }
  LeaseRecord& lease = found->second;
  if (lease.state != LeaseState::active || lease.token.expiry_unix_ms <= now_ms) {
    throw Error(Errc::expired, "lease " + std::to_string(lease_id) + " has ended and cannot be renewed");
  }
  if (duration_ms == 0 || duration_ms > max_duration_ms) {
    throw Error(Errc::invalid_argument, "lease duration must be between 1 ms and 24 h");
  }
  lease.token.expiry_unix_ms = now_ms + duration_ms;
  sign(lease.token, secret_);
  return lease;
}

void LeaseTable::release_resources(const LeaseRecord& lease) {
  const auto spawner = spawners_.find(lease.token.spawner_id);
  if (spawner == spawners_.end()) return;
  spawner->second.cores_leased -= std::min(spawner->second.cores_leased, lease.token.cores);
  spawner->second.memory_leased_mib -= std::min(spawner->second.memory_leased_mib, lease.token.memory_mib);
}

bool LeaseTable::end(uint64_t lease_id, LeaseState state, const std::string& reason, uint64_t now_ms) {
  const auto found = leases_.find(lease_id);
  if (found == leases_.end() || found->second.state != LeaseState::active) return false;
  release_resources(found->second);
  found->second.state = state;
  found->second.end_reason = reason;
  found->second.ended_unix_ms = now_ms;
  ended_order_.push_back(lease_id);
  while (ended_order_.size() > max_ended_leases_kept) {
    const auto oldest = leases_.find(ended_order_.front());
    ended_order_.pop_front();
    forgotten_.add(oldest->second, now_ms);
    leases_.erase(oldest);
  }
  return true;
}

std::vector<uint64_t> LeaseTable::expire(uint64_t now_ms) {
  std::vector<uint64_t> expired;
  for (const auto& [id, lease] : leases_) {
    if (lease.state == LeaseState::active && lease.token.expiry_unix_ms <= now_ms) expired.push_back(id);
  }
  for (const uint64_t id : expired) end(id, LeaseState::expired, "lease expired", now_ms);
  return expired;
}

void LeaseTable::add_usage(uint64_t lease_id, const wire::Usage& usage) {
  const auto found = leases_.find(lease_id);
  if (found == leases_.end()) {
    if (lease_id < next_lease_id_) {  // reported after the lease was forgotten: still billed
      LeaseRecord late;
      late.usage = usage;
      late.executors = 1;
      forgotten_.add(late, 0);
      --forgotten_.leases;
    }
    return;
  }
  auto& total = found->second.usage;
  total.wall_ns += usage.wall_ns;
  total.cpu_ns += usage.cpu_ns;
  total.hot_poll_ns += usage.hot_poll_ns;
  total.peak_memory_kib = std::max(total.peak_memory_kib, usage.peak_memory_kib);
  ++found->second.executors;
}

Accounting LeaseTable::accounting(uint64_t now_ms) const {
  Accounting total = forgotten_;
  for (const auto& [id, lease] : leases_) total.add(lease, now_ms);
  return total;
}

Accounting LeaseTable::ended_accounting() const {
  Accounting total = forgotten_;
  for (const auto& [id, lease] : leases_) {
    if (lease.state != LeaseState::active) total.add(lease, lease.ended_unix_ms);
  }
  return total;
}

const LeaseRecord* LeaseTable::find(uint64_t lease_id) const {
  const auto found = leases_.find(lease_id);
  return found == leases_.end() ? nullptr : &found->second;
}

std::optional<uint64_t> LeaseTable::next_expiry_ms() const {
  std::optional<uint64_t> earliest;
  for (const auto& [id, lease] : leases_) {
    if (lease.state != LeaseState::active) continue;
    if (!earliest || lease.token.expiry_unix_ms < *earliest) earliest = lease.token.expiry_unix_ms;
  }
  return earliest;
}

nlohmann::json LeaseTable::to_json(uint64_t now_ms) const {
  nlohmann::json spawners = nlohmann::json::array();
  for (const auto& [id, spawner] : spawners_) {
    spawners.push_back({{"id", id}, {"node", spawner.node}, {"address", spawner.address}, {"cores", spawner.cores},
                        {"cores_leased", spawner.cores_leased}, {"memory_mib", spawner.memory_mib},
                        {"memory_leased_mib", spawner.memory_leased_mib},
                        {"joined_unix_ms", spawner.joined_unix_ms},
                        {"state", spawner.leaving() ? "leaving" : spawner.responding ? "up" : "not responding"}});
  }
  nlohmann::json departed = nlohmann::json::array();
  for (const DepartedSpawner& gone : departed_) {
    departed.push_back({{"id", gone.spawner.id}, {"node", gone.spawner.node}, {"address", gone.spawner.address},
                        {"cores", gone.spawner.cores}, {"memory_mib", gone.spawner.memory_mib},
                        {"joined_unix_ms", gone.spawner.joined_unix_ms}, {"left_unix_ms", gone.left_unix_ms},
                        {"reason", gone.reason}});
  }
  nlohmann::json leases = nlohmann::json::array();
  for (const auto& [id, lease] : leases_) {
    leases.push_back({{"id", id}, {"owner", lease.token.owner}, {"user", lease.token.owner_user}, {"spawner", lease.token.spawner_id}, {"node", lease.node},
                      {"cores", lease.token.cores}, {"memory_mib", lease.token.memory_mib},
                      {"state", lease_state_name(lease.state)}, {"reason", lease.end_reason},
                      {"expires_in_ms", static_cast<int64_t>(lease.token.expiry_unix_ms) - static_cast<int64_t>(now_ms)},
                      {"executors", lease.executors},
                      {"billed_core_seconds", lease.billed_core_seconds(now_ms)},
                      {"wall_s", static_cast<double>(lease.usage.wall_ns) / 1e9},
                      {"cpu_s", static_cast<double>(lease.usage.cpu_ns) / 1e9},
                      {"hot_poll_s", static_cast<double>(lease.usage.hot_poll_ns) / 1e9},
                      {"peak_memory_kib", lease.usage.peak_memory_kib}});
  }
  return {{"spawners", spawners}, {"departed_spawners", departed}, {"leases", leases}, {"now_unix_ms", now_ms}};
}

}  // namespace ferry::lease
