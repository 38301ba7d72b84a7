// The daemons against a bare protocol peer: tampered, foreign, expired and replayed
// lease tokens at a spawner, and malformed control messages at a manager and a spawner.
#include <catch2/catch.hpp>

#include <cstring>

#include "runtime/client/client.hpp"
#include "runtime/common/file_bytes.hpp"
#include "runtime/common/sha256.hpp"
#include "runtime/lease/token.hpp"
#include "test/integration/cluster.hpp"
#include "test/support/daemons.hpp"
#include "test/integration/helpers.hpp"
#include "test/integration/raw_peer.hpp"

namespace ferry::test {
namespace {

using Catch::Matchers::Contains;
using nlohmann::json;

/// Asks the spawner to run `sleep 100` under `token`; kills whatever it started.
wire::SpawnReply spawn_with(RawPeer& peer, const std::string& spawner, const lease::Token& token,
                            uint32_t cores = 1) {
  wire::SpawnRequest request;
  request.request_id = peer.next_id();
  request.token = token;
  request.cores = cores;
  request.memory_mib = std::min<uint32_t>(token.memory_mib, 64);
  request.kind = wire::SpawnKind::program;
  request.argv = {"sleep", "100"};
  peer.send(spawner, request);
  const auto reply = peer.await<wire::SpawnReply>(request.request_id, 10s);
  if (!reply) throw std::runtime_error("the spawner did not answer a SpawnRequest");
  if (reply->status == Errc::ok) peer.send(spawner, wire::KillExecutor{reply->executor_id});
  return *reply;
}

void tamper(lease::Token& token, const std::string& field) {
  if (field == "cores") token.cores += 1;
  if (field == "memory") token.memory_mib *= 2;
  if (field == "expiry") token.expiry_unix_ms += 3'600'000;
  if (field == "owner") token.owner += "-mallory";
  if (field == "spawner_id") token.spawner_id += "-other";
  if (field == "lease_id") token.lease_id += 1000;
  if (field == "mac") token.mac[7] ^= 0x01;
}

/// Named byte strings that no decoder may accept.
std::vector<std::pair<std::string, std::vector<std::byte>>> malformed_messages(const lease::Token& token) {
  std::vector<std::byte> valid = wire::encode(wire::StatusRequest{424242});
  std::vector<std::pair<std::string, std::vector<std::byte>>> cases;
  cases.emplace_back("empty", std::vector<std::byte>{});
  cases.emplace_back("garbage", pattern(333, 9));
  cases.emplace_back("large garbage", pattern(256 * 1024, 5));
  cases.emplace_back("truncated", std::vector<std::byte>(valid.begin(), valid.end() - 3));
  cases.emplace_back("header only", std::vector<std::byte>(valid.begin(), valid.begin() + 8));
  auto wrong_version = valid;
  wrong_version[2] = std::byte{0x7f};
  cases.emplace_back("wrong version", wrong_version);
  auto wrong_magic = valid;
  wrong_magic[0] = std::byte{'X'};
  cases.emplace_back("wrong magic", wrong_magic);
  auto wrong_type = valid;
  wrong_type[3] = std::byte{0xee};
  cases.emplace_back("unknown type", wrong_type);
  auto huge_length = valid;
  huge_length[4] = huge_length[5] = huge_length[6] = huge_length[7] = std::byte{0xff};
  cases.emplace_back("huge body length", huge_length);
  auto trailing = valid;
  trailing.push_back(std::byte{0});
  cases.emplace_back("trailing byte", trailing);
  wire::SpawnRequest spawn;
  spawn.token = token;
  spawn.kind = wire::SpawnKind::program;
  spawn.argv = {"sleep", "100"};
  auto truncated_spawn = wire::encode(spawn);
  truncated_spawn.resize(truncated_spawn.size() / 2);
  cases.emplace_back("truncated spawn request", truncated_spawn);

  return cases;
}

}  // namespace

TEST_CASE("a spawner refuses a token with any one field tampered with: unauthorized", "[platform][tokens]") {
  ManagedCluster cluster;
  Lease lease = cluster.client().lease({.cores = 1, .memory_mib = 64, .duration = 60s});
  RawPeer peer;
  const std::string spawner = lease.spawner_address();

  SECTION("the untampered token is accepted (the test's request is well formed)") {
    const wire::SpawnReply reply = spawn_with(peer, spawner, lease.token());
    INFO("error: " << reply.error);
    CHECK(reply.status == Errc::ok);
    CHECK(reply.pid > 0);
  }
  SECTION("tampered, one field at a time") {
    for (const std::string field : {"cores", "memory", "expiry", "owner", "spawner_id", "lease_id", "mac"}) {
      lease::Token token = lease.token();
      tamper(token, field);
      const wire::SpawnReply reply = spawn_with(peer, spawner, token);
      INFO("tampered field: " << field << "; error: " << reply.error);
      CHECK(reply.status == Errc::unauthorized);
      CHECK_FALSE(reply.error.empty());
      CHECK(reply.pid == 0);
    }
    // The untampered token still works afterwards: refusals consumed nothing.
    const wire::SpawnReply reply = spawn_with(peer, spawner, lease.token());
    CHECK(reply.status == Errc::ok);
  }
}

TEST_CASE("a spawner refuses tokens signed with another secret, or signed for another spawner",
          "[platform][tokens]") {
  ManagedCluster cluster;
  Lease lease = cluster.client().lease({.cores = 1, .memory_mib = 64, .duration = 60s});
  RawPeer peer;

  SECTION("another secret") {
    lease::Token token = lease.token();
    lease::sign(token, lease::Secret::generate());
    const wire::SpawnReply reply = spawn_with(peer, lease.spawner_address(), token);
    INFO("error: " << reply.error);
    CHECK(reply.status == Errc::unauthorized);
  }
  SECTION("the cluster secret, but for another spawner id") {
    lease::Token token = lease.token();
    token.spawner_id = "some-other-spawner";
    lease::sign(token, lease::Secret::load(cluster.secret_file()));
    const wire::SpawnReply reply = spawn_with(peer, lease.spawner_address(), token);
    INFO("error: " << reply.error);
    CHECK(reply.status == Errc::unauthorized);
    CHECK_THAT(reply.error, Contains("some-other-spawner"));
  }
}

TEST_CASE("a spawner refuses an expired token with expired", "[platform][tokens]") {
  ManagedCluster cluster;
  Lease lease = cluster.client().lease({.cores = 1, .memory_mib = 64, .duration = 300ms});
  const lease::Token token = lease.token();
  const auto wait_ms = static_cast<int64_t>(token.expiry_unix_ms) - static_cast<int64_t>(lease::now_unix_ms()) + 200;
  if (wait_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(wait_ms));
  RawPeer peer;
  const wire::SpawnReply reply = spawn_with(peer, lease.spawner_address(), token);
  INFO("error: " << reply.error);
  CHECK(reply.status == Errc::expired);
  CHECK_FALSE(reply.error.empty());
}

TEST_CASE("a spawner refuses the replayed token of a released lease with expired", "[platform][tokens]") {
  ManagedCluster cluster;
  Lease lease = cluster.client().lease({.cores = 1, .memory_mib = 64, .duration = 60s});
  const lease::Token token = lease.token();
  // A program under the lease shows when the spawner has heard of the release.
  Program program = cluster.client().spawn(lease, {"sleep", "100"});
  lease.release();
  const auto exit = program.wait(10s);
  REQUIRE(exit);
  CHECK_THAT(exit->reason, Contains("released"));

  RawPeer peer;
  const wire::SpawnReply reply = spawn_with(peer, lease.spawner_address(), token);
  INFO("error: " << reply.error);
  CHECK(reply.status == Errc::expired);
  CHECK_FALSE(reply.error.empty());
}

TEST_CASE("another peer that knows a lease's id can neither release, renew nor revoke it", "[platform][tokens]") {
  ManagedCluster cluster;
  Lease lease = cluster.client().lease({.cores = 1, .memory_mib = 64, .duration = 60s});
  Program program = cluster.client().spawn(lease, {"sleep", "100"});
  const uint64_t id = lease.id();
  const uint64_t expiry = lease.token().expiry_unix_ms;
  lease::Mac guessed = lease.token().mac;
  guessed[0] ^= 0x80;

  RawPeer mallory;
  const std::string manager = cluster.manager().address();
  mallory.send(manager, wire::LeaseRelease{id, {}});
  mallory.send(manager, wire::LeaseRelease{id, guessed});
  const wire::LeaseRenew renew{mallory.next_id(), id, 1, guessed};
  mallory.send(manager, renew);
  const auto renewed = mallory.await<wire::LeaseReply>(renew.request_id, 10s);
  REQUIRE(renewed);
  INFO("renewal error: " << renewed->error);
  CHECK(renewed->status == Errc::unauthorized);
  // A revocation is the manager's to send: the spawner ignores it from anyone else.
  mallory.send(lease.spawner_address(), wire::LeaseRevoke{id, "revoked by mallory"});
  // Both daemons have read mallory's messages once they answer its later status requests.
  REQUIRE(mallory.status(manager, 10s));
  REQUIRE(mallory.status(lease.spawner_address(), 10s));

  CHECK(cluster.lease_status(id).at("state") == "active");
  CHECK_FALSE(program.wait(300ms));
  lease.renew(60s);  // the holder still renews it, with its own token
  CHECK(lease.token().expiry_unix_ms > expiry);
  lease.release();
  const auto exit = program.wait(10s);
  REQUIRE(exit);
  CHECK_THAT(exit->reason, Contains("released by its owner"));
}

TEST_CASE("an executor serves the one client that presents its key", "[platform][tokens]") {
  ManagedCluster cluster;
  Lease lease = cluster.client().lease({.cores = 1, .memory_mib = 64, .duration = 60s});
  const auto library = read_file_bytes(test_library());
  REQUIRE(library);
  RawPeer owner;
  wire::SpawnRequest request;
  request.request_id = owner.next_id();
  request.token = lease.token();
  request.cores = 1;
  request.memory_mib = 64;
  request.kind = wire::SpawnKind::worker;
  request.wait_mode = static_cast<uint8_t>(WaitMode::warm);
  request.library = *library;
  request.library_hash = sha256_hex(*library);
  owner.send(lease.spawner_address(), request);
  const auto spawned = owner.await<wire::SpawnReply>(request.request_id, 10s);
  REQUIRE(spawned);
  INFO("spawn error: " << spawned->error);
  REQUIRE(spawned->status == Errc::ok);
  REQUIRE_FALSE(spawned->executor_address.empty());

  RawPeer mallory;
  std::vector<std::byte> wrong_key = spawned->executor_key;
  wrong_key[0] ^= std::byte{1};
  mallory.send_to_worker(spawned->executor_address, wire::ExecutorHello{wrong_key, {"increment_bytes"}});
  const auto refused = mallory.await_first<wire::ExecutorWelcome>(10s);
  REQUIRE(refused);
  CHECK(refused->status == Errc::unauthorized);
  CHECK(refused->thread_addresses.empty());

  owner.send_to_worker(spawned->executor_address, wire::ExecutorHello{spawned->executor_key, {"increment_bytes"}});
  const auto welcome = owner.await_first<wire::ExecutorWelcome>(10s);
  REQUIRE(welcome);
  CHECK(welcome->status == Errc::ok);
  CHECK(welcome->thread_addresses.size() == 1);

  // With the key, a second client still gets nothing: the executor is taken.
  mallory.send_to_worker(spawned->executor_address, wire::ExecutorHello{spawned->executor_key, {"increment_bytes"}});
  const auto taken = mallory.await_first<wire::ExecutorWelcome>(10s);
  REQUIRE(taken);
  CHECK(taken->status == Errc::invalid_argument);
  CHECK(taken->thread_addresses.empty());
  owner.send(lease.spawner_address(), wire::KillExecutor{spawned->executor_id});
  CHECK(owner.await_first<wire::ExecutorExit>(10s));
}

TEST_CASE("a spawner never runs more cores than the token allows: no_resources", "[platform][tokens]") {
  ManagedCluster cluster;
  Lease lease = cluster.client().lease({.cores = 1, .memory_mib = 64, .duration = 60s});
  RawPeer peer;

  SECTION("one request for more cores than the token") {
    const wire::SpawnReply reply = spawn_with(peer, lease.spawner_address(), lease.token(), 2);
    INFO("error: " << reply.error);
    CHECK(reply.status == Errc::no_resources);
  }
  SECTION("a second program beyond the token's cores") {
    Program first = cluster.client().spawn(lease, {"sleep", "100"});
    try {
      Program second = cluster.client().spawn(lease, {"sleep", "100"});
      FAIL("a second core was used under a one-core lease");
    } catch (const Error& error) {
      CHECK(error.code() == Errc::no_resources);
    }
  }
}

TEST_CASE("malformed control messages are dropped while manager and spawner keep answering",
          "[platform][protocol]") {
  ManagedCluster cluster;
  Lease lease = cluster.client().lease({.cores = 1, .memory_mib = 64, .duration = 60s});
  const std::string manager = cluster.manager().address();
  const std::string spawner = lease.spawner_address();

  const auto cases = malformed_messages(lease.token());
  RawPeer peer;
  for (const auto& [name, bytes] : cases) {
    INFO("case: " << name);
    peer.send_bytes(manager, bytes);
    peer.send_bytes(spawner, bytes);
  }
  // Well-formed but unexpected messages are ignored as well.
  peer.send(manager, wire::SpawnReply{});
  peer.send(spawner, wire::LeaseReply{});
  peer.send(spawner, wire::KillExecutor{987654});

  const auto manager_status = peer.status(manager, 10s);
  REQUIRE(manager_status);
  CHECK(find_lease(json::parse(*manager_status), lease.id()).has_value());
  CHECK(peer.status(spawner, 10s).has_value());
  CHECK_FALSE(peer.failed(manager));
  CHECK_FALSE(peer.failed(spawner));
  CHECK_FALSE(cluster.manager().wait_exit(0ms).has_value());
  CHECK_FALSE(cluster.spawner().wait_exit(0ms).has_value());

  // And the regular client still works end to end.
  Program program = cluster.client().spawn(lease, {"sleep", "0.3"});  // not `true`: see "a program that exits at once"
  const auto exit = program.wait(10s);
  REQUIRE(exit);
  CHECK(exit->exit_code == 0);
}

}  // namespace ferry::test
