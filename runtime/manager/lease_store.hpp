#pragma once
// The manager's active leases on disk (SQLite), written before a grant or renewal is
// answered, so that a manager that restarts honours every lease it granted until its
// expiry, never grants an id twice, and keeps billing what the ended leases used.

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/lease/lease_table.hpp"

namespace ferry::manager {

class LeaseStore {
 public:
  /// Opens (or creates) the store at `path`; throws Error(system) when it cannot.
  explicit LeaseStore(const std::string& path);
  LeaseStore(const LeaseStore&) = delete;
  LeaseStore& operator=(const LeaseStore&) = delete;
  ~LeaseStore();

  /// The active leases kept, and the next lease id to grant.
  std::vector<lease::LeaseRecord> active_leases() const;
  uint64_t next_lease_id() const;

  /// Keeps an active lease as it is now (granted, renewed, adopted or billed).
  void keep(const lease::LeaseRecord& lease);
  /// Forgets a lease that has ended.
  void forget(uint64_t lease_id);
  void set_next_lease_id(uint64_t lease_id);
  /// What the leases that ended have been billed, kept so that a restart loses none of it.
  lease::Accounting ended_accounting() const;
  void keep_ended_accounting(const lease::Accounting& accounting);

 private:
  void execute(const char* sql) const;

  sqlite3* db_ = nullptr;
  std::string path_;
};

}  // namespace ferry::manager
