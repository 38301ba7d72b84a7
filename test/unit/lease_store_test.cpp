#include <unistd.h>

#include <catch2/catch.hpp>

#include <filesystem>

#include "runtime/lease/secret.hpp"
#include "runtime/lease/token.hpp"
#include "runtime/manager/lease_store.hpp"

using ferry::lease::LeaseRecord;
using ferry::manager::LeaseStore;

namespace {
LeaseRecord lease_on(const std::string& spawner, uint64_t id) {
  LeaseRecord lease;
  lease.token = {id, spawner, 2, 512, 1'800'000'000'000ULL + id, "alice@login1", 1001, 100, "alice",
                 ferry::lease::OwnerProof::munge, {}};
  ferry::lease::sign(lease.token, ferry::lease::Secret::generate());
  lease.spawner_address = "10.0.0.7:7070";
  lease.node = "cn7";
  lease.granted_unix_ms = 1'700'000'000'000ULL;
  lease.executors = 3;
  lease.usage = {11, 12, 13, 14};
  return lease;
}
}  // namespace

TEST_CASE("The lease store gives back the active leases and the next id after it is reopened", "[lease_store]") {
  const auto path = std::filesystem::temp_directory_path() / ("ferry-store-" + std::to_string(::getpid()) + ".db");
  std::filesystem::remove(path);
  const LeaseRecord kept = lease_on("s1", 7);
  {
    LeaseStore store(path.string());
    CHECK(store.active_leases().empty());
    CHECK(store.next_lease_id() == 1);
    store.keep(lease_on("s1", 6));
    store.keep(kept);
    store.forget(6);
    store.set_next_lease_id(9);
  }
  LeaseStore reopened(path.string());
  const auto leases = reopened.active_leases();
  REQUIRE(leases.size() == 1);
  CHECK(leases[0].token == kept.token);
  CHECK(leases[0].spawner_address == kept.spawner_address);
  CHECK(leases[0].node == kept.node);
  CHECK(leases[0].granted_unix_ms == kept.granted_unix_ms);
  CHECK(leases[0].executors == kept.executors);
  CHECK(leases[0].usage == kept.usage);
  CHECK(reopened.next_lease_id() == 9);
  std::filesystem::remove(path);
  std::filesystem::remove(path.string() + "-wal");
  std::filesystem::remove(path.string() + "-shm");
}

TEST_CASE("The lease store keeps what the ended leases were billed across a reopening", "[lease_store]") {
  const auto path = std::filesystem::temp_directory_path() / ("ferry-store-billed-" + std::to_string(::getpid()) + ".db");
  std::filesystem::remove(path);
  ferry::lease::Accounting billed;
  billed.leases = 41;
  billed.executors = 57;
  billed.usage = {1'000'000'007, 2'000'000'011, 3'000'000'019, 4096};
  billed.billed_core_seconds = 123.25;
  {
    LeaseStore store(path.string());
    CHECK(store.ended_accounting().leases == 0);
    store.keep_ended_accounting(billed);
  }
  const auto kept = LeaseStore(path.string()).ended_accounting();
  CHECK(kept.leases == billed.leases);
  CHECK(kept.executors == billed.executors);
  CHECK(kept.usage == billed.usage);
  CHECK(kept.billed_core_seconds == billed.billed_core_seconds);
  std::filesystem::remove(path);
  std::filesystem::remove(path.string() + "-wal");
  std::filesystem::remove(path.string() + "-shm");
}

TEST_CASE("A lease store that cannot be opened is a clear error", "[lease_store]") {
  CHECK_THROWS_WITH(LeaseStore("/nonexistent-directory/manager.db"), Catch::Contains("cannot open the lease store"));
}
