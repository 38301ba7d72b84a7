#include "runtime/lease/lease_table.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <string>

#include "runtime/common/error.hpp"

using ferry::Errc;
using ferry::Error;
using ferry::lease::LeaseTable;
using ferry::lease::memory_to_grant;
using ferry::lease::Secret;
using ferry::lease::SpawnerRecord;

namespace {

constexpr uint64_t now = 1'700'000'000'000ULL;
constexpr uint32_t minute = 60'000;

SpawnerRecord node(uint32_t cores, uint32_t memory_mib) {
  return {"node", "127.0.0.1:1", cores, memory_mib, 0, 0, "host-a"};
}

SpawnerRecord spawner_on(const std::string& id, const std::string& host, uint32_t cores) {
  return {id, "127.0.0.1:1", cores, 4096, 0, 0, host};
}

Errc grant_error(LeaseTable& table, uint32_t cores, uint32_t memory_mib) {
  try {
    table.grant("bob", cores, memory_mib, minute, now);
  } catch (const Error& error) {
    return error.code();
  }
  return Errc::ok;
}

}  // namespace

TEST_CASE("A fair share is the spawner's memory times the cores over its cores", "[lease][memory]") {
  CHECK(memory_to_grant(node(2, 24'576), 1, 0) == 12'288);
  CHECK(memory_to_grant(node(48, 196'608), 4, 0) == 16'384);
  CHECK(memory_to_grant(node(3, 1000), 1, 0) == 333);
  CHECK(memory_to_grant(node(3, 1000), 3, 0) == 1000);
}

TEST_CASE("A fair share is at least 1 MiB and never more than is free", "[lease][memory]") {
  CHECK(memory_to_grant(node(64, 32), 1, 0) == 1);
  SpawnerRecord busy = node(4, 4096);
  busy.memory_leased_mib = 3584;
  CHECK(memory_to_grant(busy, 2, 0) == 512);
  busy.memory_leased_mib = 4096;
  CHECK(memory_to_grant(busy, 1, 0) == 0);
}

TEST_CASE("An explicit request is granted as asked when it fits", "[lease][memory]") {
  SpawnerRecord spawner = node(2, 24'576);
  CHECK(memory_to_grant(spawner, 1, 30'000) == 0);
  CHECK(memory_to_grant(spawner, 1, 20'000) == 20'000);
  spawner.memory_leased_mib = 10'000;
  CHECK(memory_to_grant(spawner, 1, 20'000) == 0);
}

TEST_CASE("The token of a fair-share lease names the memory it got", "[lease][memory]") {
  LeaseTable table(Secret::generate());
  table.add_spawner(node(4, 8192));
  const auto& first = table.grant("bob", 1, 0, minute, now);
  CHECK(first.token.memory_mib == 2048);
  CHECK(table.spawners().at("node").memory_leased_mib == 2048);
  const auto& explicit_lease = table.grant("bob", 1, 5000, minute, now);
  CHECK(explicit_lease.token.memory_mib == 5000);
  const auto& rest = table.grant("bob", 2, 0, minute, now);
  CHECK(rest.token.memory_mib == 1144);
  CHECK(table.spawners().at("node").memory_leased_mib == 8192);

  table.end(rest.token.lease_id, ferry::lease::LeaseState::released, "done", now);
  CHECK(table.spawners().at("node").memory_leased_mib == 7048);
}

TEST_CASE("A fair share is refused when the spawner has no memory left", "[lease][memory]") {
  LeaseTable table(Secret::generate());
  table.add_spawner(node(4, 1024));
  table.grant("bob", 1, 1024, minute, now);
  CHECK(grant_error(table, 1, 0) == Errc::no_resources);
}

TEST_CASE("A placement leases on the spawner it names, or on one on the node it names", "[lease][placement]") {
  LeaseTable table(Secret::generate());
  table.add_spawner(spawner_on("s1", "host-a", 4));
  table.add_spawner(spawner_on("s2", "host-b", 1));
  table.add_spawner(spawner_on("s3", "host-b", 2));
  CHECK(table.grant("bob", 1, 0, minute, now, "s2").token.spawner_id == "s2");
  CHECK(table.grant("bob", 1, 0, minute, now, "host-b").token.spawner_id == "s3");
  CHECK(table.grant("bob", 1, 0, minute, now, "host-b").token.spawner_id == "s3");
  CHECK(table.grant("bob", 1, 0, minute, now).token.spawner_id == "s1");
}

TEST_CASE("A placement that names nothing, or names a full node, is refused and says why", "[lease][placement]") {
  LeaseTable table(Secret::generate());
  table.add_spawner(spawner_on("s1", "host-a", 4));
  table.add_spawner(spawner_on("s2", "host-b", 1));
  table.grant("bob", 1, 0, minute, now, "host-b");
  try {
    table.grant("bob", 1, 0, minute, now, "host-c");
    FAIL("a lease on an unknown node was granted");
  } catch (const Error& error) {
    CHECK(error.code() == Errc::not_found);
    CHECK_THAT(error.what(), Catch::Contains("host-c") && Catch::Contains("s2 on host-b"));
  }
  try {
    table.grant("bob", 1, 0, minute, now, "host-b");
    FAIL("a lease on a full node was granted");
  } catch (const Error& error) {
    CHECK(error.code() == Errc::no_resources);
    CHECK_THAT(error.what(), Catch::Contains("no spawner on host-b"));
  }
}

TEST_CASE("A spawner that misses heartbeats keeps its leases and is passed over until it answers", "[lease]") {
  LeaseTable table(Secret::generate());
  table.add_spawner(spawner_on("s1", "host-a", 4));
  table.add_spawner(spawner_on("s2", "host-b", 2));
  const uint64_t held = table.grant("bob", 1, 0, minute, now, "s1").token.lease_id;
  CHECK(table.set_responding("s1", false));
  CHECK_FALSE(table.set_responding("s1", false));
  CHECK(table.find(held)->state == ferry::lease::LeaseState::active);
  CHECK(table.grant("bob", 1, 0, minute, now).token.spawner_id == "s2");
  try {
    table.grant("bob", 2, 0, minute, now);
    FAIL("a lease was granted on a spawner that does not answer");
  } catch (const Error& error) {
    CHECK(error.code() == Errc::no_resources);
    CHECK_THAT(error.what(), Catch::Contains("not answering heartbeats: s1"));
  }
  CHECK(table.set_responding("s1", true));
  CHECK(table.grant("bob", 2, 0, minute, now).token.spawner_id == "s1");
}

TEST_CASE("Accounting counts every lease and report, also those the table no longer lists", "[lease]") {
  LeaseTable table(Secret::generate());
  table.add_spawner(node(4, 8192));
  constexpr uint64_t leases = 5000;
  for (uint64_t i = 0; i < leases; ++i) {
    const uint64_t id = table.grant("bob", 1, 16, minute, now).token.lease_id;
    table.add_usage(id, {.wall_ns = 10, .cpu_ns = 3, .hot_poll_ns = 1, .peak_memory_kib = i});
    table.end(id, ferry::lease::LeaseState::released, "done", now + 1000);
    if (i == 0) table.add_usage(id, {.wall_ns = 10, .cpu_ns = 3, .hot_poll_ns = 1, .peak_memory_kib = 0});
  }
  CHECK(table.leases().size() < leases);
  const uint64_t first = table.leases().begin()->first;
  table.add_usage(first - 1, {.wall_ns = 10, .cpu_ns = 3, .hot_poll_ns = 1, .peak_memory_kib = 0});
  const auto total = table.accounting(now + 2000);
  CHECK(total.leases == leases);
  CHECK(total.executors == leases + 2);
  CHECK(total.usage.wall_ns == 10 * (leases + 2));
  CHECK(total.usage.cpu_ns == 3 * (leases + 2));
  CHECK(total.usage.peak_memory_kib == leases - 1);
  CHECK(total.billed_core_seconds == Approx(1.0 * leases));
}

TEST_CASE("A spawner that leaves ends its leases with its reason and takes no new ones", "[lease][departure]") {
  LeaseTable table(Secret::generate());
  table.add_spawner(spawner_on("harvest", "node1", 2));
  const uint64_t lease = table.grant("bob", 1, 0, minute, now).token.lease_id;
  const std::string reason = "node reclaimed by Slurm (node node1, job 7)";
  CHECK(table.spawner_leaving("harvest", reason, now + 10) == std::vector<uint64_t>{lease});
  CHECK(table.find(lease)->state == ferry::lease::LeaseState::revoked);
  CHECK(table.find(lease)->end_reason == reason);
  CHECK(table.spawners().at("harvest").leaving());
  CHECK(grant_error(table, 1, 0) == Errc::no_resources);
  CHECK(table.to_json(now + 10)["spawners"][0]["state"] == "leaving");

  CHECK(table.remove_spawner("harvest", now + 20).empty());
  CHECK(table.spawners().empty());
  REQUIRE(table.departed_spawners().size() == 1);
  CHECK(table.departed_spawners().front().reason == reason);  // not "connection lost"
  CHECK(table.departed_spawners().front().left_unix_ms == now + 20);
  const auto json = table.to_json(now + 30);
  REQUIRE(json["departed_spawners"].size() == 1);
  CHECK(json["departed_spawners"][0]["id"] == "harvest");
  CHECK(json["departed_spawners"][0]["node"] == "node1");
  CHECK(json["departed_spawners"][0]["reason"] == reason);
}

TEST_CASE("A lost spawner is kept as departed with why it went, until it joins again", "[lease][departure]") {
  LeaseTable table(Secret::generate());
  table.add_spawner(spawner_on("s1", "host-a", 2));
  const uint64_t lease = table.grant("bob", 1, 0, minute, now).token.lease_id;
  CHECK(table.remove_spawner("s1", now + 5, "silent for 30 s") == std::vector<uint64_t>{lease});
  CHECK(table.find(lease)->end_reason == "spawner s1 was lost");
  REQUIRE(table.departed_spawners().size() == 1);
  CHECK(table.departed_spawners().front().reason == "silent for 30 s");

  table.add_spawner(spawner_on("s1", "host-a", 2));
  CHECK(table.departed_spawners().empty());
  CHECK_FALSE(table.spawners().at("s1").leaving());
  CHECK(grant_error(table, 1, 0) == Errc::ok);
}

TEST_CASE("Only the most recent departed spawners are kept", "[lease][departure]") {
  LeaseTable table(Secret::generate());
  for (int i = 0; i < 100; ++i) {
    const std::string id = "s" + std::to_string(i);
    table.add_spawner(spawner_on(id, "host-a", 1));
    table.remove_spawner(id, now + static_cast<uint64_t>(i));
  }
  CHECK(table.departed_spawners().size() == 64);
  CHECK(table.departed_spawners().back().spawner.id == "s99");
  CHECK(table.departed_spawners().front().spawner.id == "s36");
}

TEST_CASE("Only the holder of a lease's current token renews or releases it", "[lease][holder]") {
  LeaseTable table(Secret::generate());
  table.add_spawner(node(4, 8192));
  const ferry::lease::Token granted = table.grant("bob", 1, 0, minute, now).token;
  const uint64_t id = granted.lease_id;
  ferry::lease::Mac forged = granted.mac;
  forged[31] ^= 1;
  CHECK(table.held_with(id, granted.mac));
  CHECK_FALSE(table.held_with(id, forged));
  CHECK_FALSE(table.held_with(id, ferry::lease::Mac{}));
  CHECK_FALSE(table.held_with(id + 1, granted.mac));
  try {
    table.renew(id, minute, now + 1, forged);
    FAIL("a renewal with a forged proof succeeded");
  } catch (const Error& error) {
    CHECK(error.code() == Errc::unauthorized);
  }
  CHECK(table.find(id)->token.expiry_unix_ms == granted.expiry_unix_ms);

  const ferry::lease::Token renewed = table.renew(id, 2 * minute, now + 1, granted.mac).token;
  CHECK(renewed.expiry_unix_ms == now + 1 + 2 * minute);
  CHECK(table.held_with(id, renewed.mac));
  CHECK_FALSE(table.held_with(id, granted.mac));  // the token before the renewal proves nothing now
}
