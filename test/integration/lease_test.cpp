// Leases against real daemons: a `ferry manager` and a `ferry spawner` registered with
// it, sharing a secret made by `ferry secret`. Also: an unreachable manager.
#include <signal.h>

#include <filesystem>
#include <future>
#include <thread>
#include <optional>
#include <stdexcept>

#include <catch2/catch.hpp>

#include "runtime/client/client.hpp"
#include "test/integration/cluster.hpp"
#include "test/support/daemons.hpp"
#include "test/integration/helpers.hpp"

namespace ferry::test {
namespace {

using Catch::Matchers::Contains;
using nlohmann::json;

}  // namespace

TEST_CASE("a lease is granted, renewed and released against real daemons", "[platform][lease][daemons]") {
  ManagedCluster cluster;
  CHECK(cluster.spawner_status().at("cores") == 2);
  CHECK(cluster.spawner_status().at("cores_leased") == 0);

  Lease lease = cluster.client().lease({.cores = 1, .memory_mib = 64, .duration = 10s});
  CHECK(lease.spawner_address() == cluster.spawner().address());
  CHECK(lease.token().spawner_id == cluster.spawner().id());
  CHECK(lease.token().cores == 1);
  CHECK(cluster.spawner_status().at("cores_leased") == 1);
  CHECK(cluster.spawner_status().at("memory_leased_mib") == 64);
  CHECK(cluster.lease_status(lease.id()).at("state") == "active");

  const uint64_t expiry = lease.token().expiry_unix_ms;
  const int64_t expires_in = cluster.lease_status(lease.id()).at("expires_in_ms").get<int64_t>();
  lease.renew(60s);
  CHECK(lease.token().expiry_unix_ms > expiry);
  CHECK(cluster.lease_status(lease.id()).at("expires_in_ms").get<int64_t>() > expires_in);

  lease.release();
  CHECK(eventually([&] { return cluster.spawner_status().at("cores_leased") == 0; }, 5s));
  CHECK(cluster.spawner_status().at("memory_leased_mib") == 0);
  CHECK(cluster.lease_status(lease.id()).at("state") == "released");
  try {
    lease.renew(10s);
    FAIL("renewing a released lease succeeded");
  } catch (const Error& error) {
    CHECK(error.code() == Errc::expired);
  }
}

TEST_CASE("a program is spawned under a renewed lease", "[platform][lease][daemons]") {
  // The renewal's TokenUpdate is the first message on the client's connection to the
  // spawner; the SpawnRequest comes after another round trip to the manager, as when a
  // program checks its lease status before starting work.
  ManagedCluster cluster;
  Lease lease = cluster.client().lease({.cores = 1, .memory_mib = 64, .duration = 10s});
  lease.renew(60s);
  CHECK(cluster.lease_status(lease.id()).at("state") == "active");
  Program program = cluster.client().spawn(lease, {"sleep", "0.3"});  // not `true`: see "a program that exits at once"
  const auto exit = program.wait(10s);
  REQUIRE(exit);
  CHECK(exit->exit_code == 0);
}

TEST_CASE("a lease with no free cores is refused with no_resources", "[platform][lease][daemons]") {
  ManagedCluster cluster;
  Lease first = cluster.client().lease({.cores = 2, .memory_mib = 64});
  try {
    Lease second = cluster.client().lease({.cores = 1, .memory_mib = 64});
    FAIL("a third core was leased from a 2-core spawner");
  } catch (const Error& error) {
    CHECK(error.code() == Errc::no_resources);
  }
  first.release();
  CHECK(eventually([&] { return cluster.spawner_status().at("cores_leased") == 0; }, 5s));
  Lease again = cluster.client().lease({.cores = 2, .memory_mib = 64});
  CHECK(again.token().cores == 2);
}

TEST_CASE("an expired lease ends its program, which is gone, and shows as expired", "[platform][lease][daemons]") {
  ManagedCluster cluster;
  Lease lease = cluster.client().lease({.cores = 1, .memory_mib = 64, .duration = 1500ms});
  Program program = cluster.client().spawn(lease, {"sleep", "100"});
  const pid_t pid = program.pid();
  REQUIRE(pid > 0);
  CHECK_FALSE(process_gone(pid, 100ms));

  const auto exit = program.wait(15s);
  REQUIRE(exit);
  INFO("exit reason: " << exit->reason);
  CHECK_THAT(exit->reason, Contains("expire"));
  CHECK(exit->signal == SIGTERM);
  CHECK(process_gone(pid, 5s));
  CHECK(eventually([&] { return cluster.lease_status(lease.id()).at("state") == "expired"; }, 5s));
  CHECK(cluster.spawner_status().at("cores_leased") == 0);
}

TEST_CASE("a program of a lease renewed in time outlives the original expiry", "[platform][lease][daemons]") {
  ManagedCluster cluster;
  Lease lease = cluster.client().lease({.cores = 1, .memory_mib = 64, .duration = 1500ms});
  Program program = cluster.client().spawn(lease, {"sleep", "100"});
  lease.renew(30s);
  // Past the first expiry, the program still runs.
  CHECK_FALSE(program.wait(2500ms).has_value());
  CHECK_FALSE(process_gone(program.pid(), 10ms));
  program.kill();
  const auto exit = program.wait(10s);
  REQUIRE(exit);
  CHECK_THAT(exit->reason, Contains("killed by its owner"));
  CHECK(cluster.lease_status(lease.id()).at("state") == "active");
}

TEST_CASE("a spawner stopped past a lease's first expiry reads the renewal before it expires the lease",
          "[platform][lease][daemons]") {
  ManagedCluster cluster;
  Lease lease = cluster.client().lease({.cores = 1, .memory_mib = 64, .duration = 1500ms});
  Program program = cluster.client().spawn(lease, {"sleep", "100"});
  cluster.spawner().signal(SIGSTOP);
  lease.renew(30s);  // the token update waits, unread, in the stopped spawner's socket
  std::this_thread::sleep_for(2500ms);
  cluster.spawner().signal(SIGCONT);
  CHECK_FALSE(program.wait(1500ms).has_value());
  CHECK_FALSE(process_gone(program.pid(), 10ms));
  CHECK(cluster.lease_status(lease.id()).at("state") == "active");
}

TEST_CASE("releasing a lease ends its programs", "[platform][lease][daemons]") {
  ManagedCluster cluster;
  Lease lease = cluster.client().lease({.cores = 1, .memory_mib = 64, .duration = 60s});
  Program program = cluster.client().spawn(lease, {"sleep", "100"});
  const pid_t pid = program.pid();
  lease.release();
  const auto exit = program.wait(10s);
  REQUIRE(exit);
  INFO("exit reason: " << exit->reason);
  CHECK_THAT(exit->reason, Contains("released"));
  CHECK(process_gone(pid, 5s));
}

TEST_CASE("a lease's directory goes when the lease has ended and its programs are gone", "[platform][lease][daemons]") {
  ManagedCluster cluster;
  Lease kept = cluster.client().lease({.cores = 1, .memory_mib = 64, .duration = 60s});
  Lease ended = cluster.client().lease({.cores = 1, .memory_mib = 64, .duration = 60s});
  const std::string root = cluster.spawner().work_root();
  const auto directory = [&](const Lease& lease) { return root + "/lease-" + std::to_string(lease.id()); };
  auto first = cluster.client().spawn(kept, {"sh", "-c", "echo data > kept-file"});
  REQUIRE(first.wait(10s));
  Program running = cluster.client().spawn(ended, {"sleep", "100"});
  CHECK(std::filesystem::exists(directory(kept) + "/kept-file"));
  CHECK(std::filesystem::is_directory(directory(ended)));

  ended.release();
  REQUIRE(running.wait(10s));
  CHECK(eventually([&] { return !std::filesystem::exists(directory(ended)); }, 5s));
  // A lease that has not ended keeps its files for its next program.
  CHECK(std::filesystem::exists(directory(kept) + "/kept-file"));
}

TEST_CASE("a client that disconnects ends its own leases, not those of another client with the same owner",
          "[platform][lease][daemons]") {
  ManagedCluster cluster;
  ClientOptions options;
  options.manager = cluster.manager().address();
  options.owner = "shared-owner";
  auto staying = Client::create(options);
  Lease stays = staying->lease({.cores = 1, .memory_mib = 64, .duration = 60s});
  DaemonProcess leaving({self_executable(), "--lease-and-spawn", "manager", cluster.manager().address(), "shared-owner"},
                        "sleep pid ");
  uint64_t gone = 0;
  const json status = cluster.status();
  for (const auto& lease : status.at("leases")) {
    if (lease.at("id").get<uint64_t>() != stays.id()) gone = lease.at("id").get<uint64_t>();
  }
  REQUIRE(gone != 0);
  leaving.kill_now();
  CHECK(eventually([&] { return cluster.lease_status(gone).at("state") == "released"; }, 10s));
  CHECK(cluster.lease_status(stays.id()).at("state") == "active");
}

namespace {
/// A manager on a fixed loopback port (so that it can be restarted there), a spawner of
/// 2 cores registered with it, and a client of the manager.
class RestartableCluster {
 public:
  explicit RestartableCluster(const std::vector<std::string>& manager_args) : secret_(dir_.file("secret")) {
    make_secret(secret_);
    args_ = {"--listen", "127.0.0.1:" + std::to_string(closed_loopback_port())};
    args_.insert(args_.end(), manager_args.begin(), manager_args.end());
    manager_.emplace(secret_, args_);
    spawner_.emplace(dir_, manager_->address(), secret_, std::vector<std::string>{"--cores", "2", "--grace-ms", "500"});
    ClientOptions options;
    options.manager = manager_->address();
    options.mode = WaitMode::warm;
    client_ = Client::create(options);
    if (!spawner_registered()) throw std::runtime_error("the spawner did not register");
  }

  Client& client() { return *client_; }
  const TempDir& dir() const { return dir_; }
  json status() { return json::parse(client_->status()); }
  void restart_manager() {
    manager_->kill_now();
    manager_.emplace(secret_, args_);
  }
  bool spawner_registered() {
    return eventually([&] { return find_spawner(status(), spawner_->id()).has_value(); }, 10s);
  }
  json spawner_status() { return find_spawner(status(), spawner_->id()).value(); }
  /// The lease's state; "unreachable" while the client has not reconnected yet.
  std::string lease_state(uint64_t id) {
    try {
      const auto found = find_lease(status(), id);
      return found ? found->at("state").get<std::string>() : "unknown";
    } catch (const Error&) {
      return "unreachable";
    }
  }

 private:
  TempDir dir_;
  std::string secret_;
  std::vector<std::string> args_;
  std::optional<ManagerProcess> manager_;
  std::optional<SpawnerProcess> spawner_;
  std::unique_ptr<Client> client_;
};
}  // namespace

TEST_CASE("a manager that restarts takes back the leases its spawners serve and grants no id twice",
          "[platform][lease][daemons][restart]") {
  RestartableCluster cluster({});
  Lease lease = cluster.client().lease({.cores = 1, .memory_mib = 64, .duration = 60s});
  Program program = cluster.client().spawn(lease, {"sleep", "100"});

  cluster.restart_manager();
  // The spawner registers again and names the lease it serves.
  REQUIRE(eventually([&] { return cluster.lease_state(lease.id()) == "active"; }, 15s));
  CHECK_FALSE(process_gone(program.pid(), 0ms));
  CHECK_NOTHROW(lease.renew(30s));
  CHECK(cluster.spawner_status().at("cores_leased") == 1);

  // A new lease has a new id, which the spawner accepts.
  Lease next = cluster.client().lease({.cores = 1, .memory_mib = 64, .duration = 60s});
  CHECK(next.id() > lease.id());
  Program second = cluster.client().spawn(next, {"sleep", "0.2"});
  const auto exit = second.wait(10s);
  REQUIRE(exit);
  CHECK(exit->exit_code == 0);
  CHECK_THROWS(cluster.client().lease({.cores = 1, .memory_mib = 64, .duration = 60s}));  // both cores are leased
}

TEST_CASE("a manager with a state file honours after a restart the leases it granted, used or not",
          "[platform][lease][daemons][restart]") {
  TempDir state;
  RestartableCluster cluster({"--state-file", state.file("manager.db")});
  Lease unused = cluster.client().lease({.cores = 1, .memory_mib = 64, .duration = 60s});
  Lease ended = cluster.client().lease({.cores = 1, .memory_mib = 64, .duration = 60s});
  ended.release();
  REQUIRE(eventually([&] { return cluster.lease_state(ended.id()) == "released"; }, 10s));

  cluster.restart_manager();
  REQUIRE(eventually([&] { return cluster.lease_state(unused.id()) == "active"; }, 15s));
  CHECK(cluster.lease_state(ended.id()) == "unknown");
  CHECK_NOTHROW(unused.renew(30s));
  REQUIRE(cluster.spawner_registered());
  CHECK(cluster.spawner_status().at("cores_leased") == 1);
  Program program = cluster.client().spawn(unused, {"sleep", "0.2"});
  const auto exit = program.wait(10s);
  REQUIRE(exit);
  CHECK(exit->exit_code == 0);
  CHECK(cluster.client().lease({.cores = 1, .memory_mib = 64, .duration = 60s}).id() > ended.id());
}

TEST_CASE("a manager with a state file keeps after a restart what the ended leases were billed",
          "[platform][lease][daemons][restart]") {
  TempDir state;
  RestartableCluster cluster({"--state-file", state.file("manager.db")});
  Lease lease = cluster.client().lease({.cores = 1, .memory_mib = 64, .duration = 60s});
  Program program = cluster.client().spawn(lease, {"sleep", "0.3"});
  REQUIRE(program.wait(10s));
  lease.release();
  json before;
  REQUIRE(eventually(
      [&] {
        before = cluster.status().at("manager").at("accounted");
        return before.at("executors") == 1;
      },
      10s));
  CHECK(before.at("wall_ns").get<uint64_t>() > 0);

  cluster.restart_manager();
  json after;
  REQUIRE(eventually(
      [&] {
        try {
          after = cluster.status().at("manager").at("accounted");
          return true;
        } catch (const Error&) {
          return false;  // not reconnected yet
        }
      },
      15s));
  CHECK(after == before);
}

TEST_CASE("a lease asked for before any spawner registered waits for one, for as long as the manager allows",
          "[platform][lease][daemons]") {
  const TempDir dir;
  const std::string secret = (dir.path() / "secret").string();
  make_secret(secret);
  ManagerProcess manager(secret, {"--first-spawner-wait-ms", "20000"});
  ClientOptions options;
  options.manager = manager.address();
  options.mode = WaitMode::warm;
  options.timeout = 20s;
  auto client = Client::create(options);
  // The request is held: it is answered only once a spawner has registered.
  auto leased = std::async(std::launch::async, [&] { return client->lease({.cores = 1, .memory_mib = 64}); });
  CHECK(leased.wait_for(500ms) == std::future_status::timeout);
  SpawnerProcess spawner(dir, manager.address(), secret, {"--cores", "1"});
  Lease lease = leased.get();
  CHECK(lease.token().spawner_id == spawner.id());

  // Past the wait, a manager without spawners refuses, as it always did.
  ManagerProcess impatient(secret, {"--first-spawner-wait-ms", "300"});
  options.manager = impatient.address();
  auto other = Client::create(options);
  std::this_thread::sleep_for(400ms);
  try {
    other->lease({.cores = 1, .memory_mib = 64});
    FAIL("a lease was granted with no spawner");
  } catch (const Error& error) {
    INFO("error: " << error.what());
    CHECK(error.code() == Errc::no_resources);
  }
}

TEST_CASE("a lease from an unreachable manager fails with unreachable or timeout, without hanging",
          "[platform][lease]") {
  ClientOptions options;
  options.manager = "127.0.0.1:" + std::to_string(closed_loopback_port());
  options.mode = WaitMode::warm;
  options.timeout = 2s;
  auto client = Client::create(options);
  try {
    client->lease({.cores = 1});
    FAIL("a lease was granted by nobody");
  } catch (const Error& error) {
    INFO("error: " << error.what());
    CHECK((error.code() == Errc::unreachable || error.code() == Errc::timeout));
  }
  try {
    client->status();
    FAIL("status was answered by nobody");
  } catch (const Error& error) {
    CHECK((error.code() == Errc::unreachable || error.code() == Errc::timeout));
  }
}

}  // namespace ferry::test
