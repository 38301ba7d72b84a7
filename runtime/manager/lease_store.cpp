#include "runtime/manager/lease_store.hpp"

#include <memory>

#include "runtime/common/error.hpp"

namespace ferry::manager {

namespace {

using Statement = std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)>;

Statement prepare(sqlite3* db, const char* sql) {
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &statement, nullptr) != SQLITE_OK) {
    throw Error(Errc::system, std::string("lease store: ") + sqlite3_errmsg(db));
  }
  return {statement, &sqlite3_finalize};
}

int64_t signed_of(uint64_t value) { return static_cast<int64_t>(value); }
uint64_t unsigned_of(sqlite3_stmt* row, int column) { return static_cast<uint64_t>(sqlite3_column_int64(row, column)); }
std::string text_of(sqlite3_stmt* row, int column) {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(row, column));
  return text == nullptr ? std::string() : std::string(text, static_cast<size_t>(sqlite3_column_bytes(row, column)));
}

}  // namespace

LeaseStore::LeaseStore(const std::string& path) : path_(path) {
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                      nullptr) != SQLITE_OK) {
    const std::string why = db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    throw Error(Errc::system, "cannot open the lease store " + path + ": " + why);
  }
  sqlite3_busy_timeout(db_, 5000);
  execute("PRAGMA journal_mode=WAL");
  execute("PRAGMA synchronous=NORMAL");  // survives a crash of the manager, not of the machine
  // Tokens signed before owners had a uid (table `leases`) no longer verify: they are left behind.
  execute(
      "CREATE TABLE IF NOT EXISTS leases_v2 (id INTEGER PRIMARY KEY, spawner TEXT NOT NULL, cores INTEGER NOT NULL,"
      " memory_mib INTEGER NOT NULL, expiry_ms INTEGER NOT NULL, owner TEXT NOT NULL, mac BLOB NOT NULL,"
      " spawner_address TEXT NOT NULL, node TEXT NOT NULL, granted_ms INTEGER NOT NULL, executors INTEGER NOT NULL,"
      " wall_ns INTEGER NOT NULL, cpu_ns INTEGER NOT NULL, hot_poll_ns INTEGER NOT NULL, peak_kib INTEGER NOT NULL,"
      " owner_uid INTEGER NOT NULL, owner_gid INTEGER NOT NULL, owner_user TEXT NOT NULL, owner_proof INTEGER NOT NULL)");
  execute("CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL)");
  execute(
      "CREATE TABLE IF NOT EXISTS ended_usage (id INTEGER PRIMARY KEY CHECK (id = 1), leases INTEGER NOT NULL,"
      " executors INTEGER NOT NULL, wall_ns INTEGER NOT NULL, cpu_ns INTEGER NOT NULL, hot_poll_ns INTEGER NOT NULL,"
      " peak_kib INTEGER NOT NULL, billed_core_seconds REAL NOT NULL)");
}

LeaseStore::~LeaseStore() { sqlite3_close(db_); }

void LeaseStore::execute(const char* sql) const {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    const std::string why = message != nullptr ? message : sqlite3_errmsg(db_);
    sqlite3_free(message);
    throw Error(Errc::system, "lease store " + path_ + ": " + why);
  }
}

std::vector<lease::LeaseRecord> LeaseStore::active_leases() const {
  Statement query = prepare(db_,
                            "SELECT id, spawner, cores, memory_mib, expiry_ms, owner, mac, spawner_address, node,"
                            " granted_ms, executors, wall_ns, cpu_ns, hot_poll_ns, peak_kib, owner_uid, owner_gid, owner_user,"
                            " owner_proof FROM leases_v2 ORDER BY id");
  std::vector<lease::LeaseRecord> leases;
  while (sqlite3_step(query.get()) == SQLITE_ROW) {
    sqlite3_stmt* row = query.get();
    lease::LeaseRecord lease;
    lease.token.lease_id = unsigned_of(row, 0);
    lease.token.spawner_id = text_of(row, 1);
    lease.token.cores = static_cast<uint32_t>(unsigned_of(row, 2));
    lease.token.memory_mib = static_cast<uint32_t>(unsigned_of(row, 3));
    lease.token.expiry_unix_ms = unsigned_of(row, 4);
    lease.token.owner = text_of(row, 5);
    if (static_cast<size_t>(sqlite3_column_bytes(row, 6)) == lease.token.mac.size()) {
      const auto* mac = static_cast<const uint8_t*>(sqlite3_column_blob(row, 6));
      std::copy(mac, mac + lease.token.mac.size(), lease.token.mac.begin());
    }
    lease.spawner_address = text_of(row, 7);
    lease.node = text_of(row, 8);
    lease.granted_unix_ms = unsigned_of(row, 9);
    lease.executors = static_cast<uint32_t>(unsigned_of(row, 10));
    lease.usage = {unsigned_of(row, 11), unsigned_of(row, 12), unsigned_of(row, 13), unsigned_of(row, 14)};
    lease.token.owner_uid = static_cast<uint32_t>(unsigned_of(row, 15));
    lease.token.owner_gid = static_cast<uint32_t>(unsigned_of(row, 16));
    lease.token.owner_user = text_of(row, 17);
    lease.token.owner_proof = static_cast<lease::OwnerProof>(unsigned_of(row, 18));
    leases.push_back(std::move(lease));
  }
  return leases;
}

uint64_t LeaseStore::next_lease_id() const {
  Statement query = prepare(db_, "SELECT value FROM counters WHERE name = 'next_lease_id'");
  return sqlite3_step(query.get()) == SQLITE_ROW ? unsigned_of(query.get(), 0) : 1;
}

void LeaseStore::keep(const lease::LeaseRecord& lease) {
  Statement insert = prepare(db_,
                             "INSERT OR REPLACE INTO leases_v2 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11,"
                             " ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)");
  sqlite3_stmt* row = insert.get();
  const lease::Token& token = lease.token;
  sqlite3_bind_int64(row, 1, signed_of(token.lease_id));
  sqlite3_bind_text(row, 2, token.spawner_id.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(row, 3, token.cores);
  sqlite3_bind_int64(row, 4, token.memory_mib);
  sqlite3_bind_int64(row, 5, signed_of(token.expiry_unix_ms));
  sqlite3_bind_text(row, 6, token.owner.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_blob(row, 7, token.mac.data(), static_cast<int>(token.mac.size()), SQLITE_TRANSIENT);
  sqlite3_bind_text(row, 8, lease.spawner_address.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(row, 9, lease.node.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(row, 10, signed_of(lease.granted_unix_ms));
  sqlite3_bind_int64(row, 11, lease.executors);
  sqlite3_bind_int64(row, 12, signed_of(lease.usage.wall_ns));
  sqlite3_bind_int64(row, 13, signed_of(lease.usage.cpu_ns));
  sqlite3_bind_int64(row, 14, signed_of(lease.usage.hot_poll_ns));
  sqlite3_bind_int64(row, 15, signed_of(lease.usage.peak_memory_kib));
  sqlite3_bind_int64(row, 16, token.owner_uid);
  sqlite3_bind_int64(row, 17, token.owner_gid);
  sqlite3_bind_text(row, 18, token.owner_user.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(row, 19, static_cast<int64_t>(token.owner_proof));
  if (sqlite3_step(row) != SQLITE_DONE) throw Error(Errc::system, std::string("lease store: ") + sqlite3_errmsg(db_));
}

void LeaseStore::forget(uint64_t lease_id) {
  Statement remove = prepare(db_, "DELETE FROM leases_v2 WHERE id = ?1");
  sqlite3_bind_int64(remove.get(), 1, signed_of(lease_id));
  if (sqlite3_step(remove.get()) != SQLITE_DONE) {
    throw Error(Errc::system, std::string("lease store: ") + sqlite3_errmsg(db_));
  }
}

void LeaseStore::set_next_lease_id(uint64_t lease_id) {
  Statement update = prepare(db_, "INSERT OR REPLACE INTO counters VALUES ('next_lease_id', ?1)");
  sqlite3_bind_int64(update.get(), 1, signed_of(lease_id));
  if (sqlite3_step(update.get()) != SQLITE_DONE) {
    throw Error(Errc::system, std::string("lease store: ") + sqlite3_errmsg(db_));
  }
}

lease::Accounting LeaseStore::ended_accounting() const {
  Statement query = prepare(db_,
                            "SELECT leases, executors, wall_ns, cpu_ns, hot_poll_ns, peak_kib, billed_core_seconds"
                            " FROM ended_usage WHERE id = 1");
  lease::Accounting accounting;
  if (sqlite3_step(query.get()) != SQLITE_ROW) return accounting;
  sqlite3_stmt* row = query.get();
  accounting.leases = unsigned_of(row, 0);
  accounting.executors = unsigned_of(row, 1);
  accounting.usage = {unsigned_of(row, 2), unsigned_of(row, 3), unsigned_of(row, 4), unsigned_of(row, 5)};
  accounting.billed_core_seconds = sqlite3_column_double(row, 6);
  return accounting;
}

void LeaseStore::keep_ended_accounting(const lease::Accounting& accounting) {
  Statement update = prepare(db_, "INSERT OR REPLACE INTO ended_usage VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  sqlite3_stmt* row = update.get();
  sqlite3_bind_int64(row, 1, signed_of(accounting.leases));
  sqlite3_bind_int64(row, 2, signed_of(accounting.executors));
  sqlite3_bind_int64(row, 3, signed_of(accounting.usage.wall_ns));
  sqlite3_bind_int64(row, 4, signed_of(accounting.usage.cpu_ns));
  sqlite3_bind_int64(row, 5, signed_of(accounting.usage.hot_poll_ns));
  sqlite3_bind_int64(row, 6, signed_of(accounting.usage.peak_memory_kib));
  sqlite3_bind_double(row, 7, accounting.billed_core_seconds);
  if (sqlite3_step(row) != SQLITE_DONE) throw Error(Errc::system, std::string("lease store: ") + sqlite3_errmsg(db_));
}

}  // namespace ferry::manager
