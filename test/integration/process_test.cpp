// What happens to leased processes when their owner, their spawner, or the spawner's
// link to the manager dies; and output forwarding of spawned programs.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "runtime/client/client.hpp"
#include "test/integration/cluster.hpp"
#include "test/support/daemons.hpp"
#include "test/integration/helpers.hpp"
#include "test/integration/this_process.hpp"

namespace ferry::test {
namespace {

using Catch::Matchers::Contains;
using nlohmann::json;

std::unique_ptr<Client> spawner_client(const std::string& spawner) {
  ClientOptions options;
  options.spawners = {spawner};
  options.mode = WaitMode::warm;
  return Client::create(options);
}

}  // namespace

TEST_CASE("when a lease's owner is killed, its spawned program is gone (stand-alone spawner)",
          "[platform][processes]") {
  TempDir dir;
  SpawnerProcess spawner(dir, {"--cores", "2", "--grace-ms", "500"});
  DaemonProcess owner({self_executable(), "--lease-and-spawn", "spawner", spawner.address()}, "sleep pid ");
  const pid_t sleep_pid = static_cast<pid_t>(std::stol(owner.after_marker()));
  REQUIRE(sleep_pid > 0);
  CHECK_FALSE(process_gone(sleep_pid, 200ms));

  owner.kill_now();
  CHECK(process_gone(sleep_pid, 10s));
}

TEST_CASE("when a lease's owner is killed, its program is gone and the manager releases the lease",
          "[platform][processes]") {
  ManagedCluster cluster;
  DaemonProcess owner({self_executable(), "--lease-and-spawn", "manager", cluster.manager().address()},
                      "sleep pid ");
  const pid_t sleep_pid = static_cast<pid_t>(std::stol(owner.after_marker()));
  REQUIRE(sleep_pid > 0);
  CHECK(cluster.spawner_status().at("cores_leased") == 1);

  owner.kill_now();
  CHECK(process_gone(sleep_pid, 10s));
  CHECK(eventually([&] { return cluster.spawner_status().at("cores_leased") == 0; }, 10s));
  const json leases = cluster.status().at("leases");
  REQUIRE(leases.size() == 1);
  CHECK(leases[0].at("state") == "released");
}

TEST_CASE("a stand-alone spawner gives back the cores of a lease whose owner was killed",
          "[platform][processes]") {
  TempDir dir;
  SpawnerProcess spawner(dir, {"--cores", "2", "--grace-ms", "500"});
  DaemonProcess owner({self_executable(), "--lease-and-spawn", "spawner", spawner.address()}, "sleep pid ");
  const pid_t sleep_pid = static_cast<pid_t>(std::stol(owner.after_marker()));
  owner.kill_now();
  REQUIRE(process_gone(sleep_pid, 10s));

  // The owner's lease (60 s) is what a manager would release when its owner disconnects.
  auto client = spawner_client(spawner.address());
  auto status = [&] { return json::parse(client->status()); };
  const bool released = eventually(
      [&] {
        const json leases = status().at("leases");
        return leases.size() == 1 && leases[0].at("state") != "active";
      },
      5s);
  INFO("status: " << status().dump());
  CHECK(released);
  CHECK(status().at("spawners").at(0).at("cores_leased") == 0);
}

TEST_CASE("when a spawner is killed, the programs it started are gone", "[platform][processes]") {
  TempDir dir;
  SpawnerProcess spawner(dir, {"--cores", "2"});
  auto client = spawner_client(spawner.address());
  Lease lease = client->lease({.cores = 1, .memory_mib = 64});
  Program program = client->spawn(lease, {"sleep", "1000"});
  const pid_t pid = program.pid();
  REQUIRE(pid > 0);
  CHECK_FALSE(process_gone(pid, 200ms));

  spawner.kill_now();
  CHECK(process_gone(pid, 10s));
}

TEST_CASE("when a spawner is killed, its executors die and invocations fail with executor_dead",
          "[platform][processes]") {
  TempDir dir;
  SpawnerProcess spawner(dir, {"--cores", "2"});
  auto client = spawner_client(spawner.address());
  Lease lease = client->lease({.cores = 1, .memory_mib = 256});
  Executor executor =
      client->allocate(lease, {.library = test_library(), .functions = {"noop"}, .mode = WaitMode::warm});
  REQUIRE(executor.invoke(0, {}, {}) == 0);
  const pid_t pid = executor.pid();

  spawner.kill_now();
  CHECK(process_gone(pid, 10s));
  try {
    executor.invoke(0, {}, {});
    FAIL("an executor of a killed spawner answered");
  } catch (const Error& error) {
    CHECK(error.code() == Errc::executor_dead);
  }
  CHECK_FALSE(executor.alive());
  CHECK_FALSE(executor.death_reason().empty());
}

TEST_CASE("a client learns that its program ended when the program's spawner dies", "[platform][processes]") {
  TempDir dir;
  SpawnerProcess spawner(dir, {"--cores", "2"});
  auto client = spawner_client(spawner.address());
  Lease lease = client->lease({.cores = 1, .memory_mib = 64});
  Program program = client->spawn(lease, {"sleep", "1000"});
  spawner.kill_now();
  REQUIRE(process_gone(program.pid(), 10s));
  // Program::wait must not wait out its whole timeout for a program that cannot end.
  const auto exit = program.wait(5s);
  CHECK(exit.has_value());
}

namespace {
/// Leases one core for a minute; with 100 ms heartbeats a busy machine may find the
/// spawner silent at any moment, so the grant is retried.
std::optional<Lease> lease_one_core(ManagedCluster& cluster) {
  std::optional<Lease> granted;
  eventually(
      [&] {
        try {
          granted.emplace(cluster.client().lease({.cores = 1, .memory_mib = 64, .duration = 60s}));
          return true;
        } catch (const Error&) {
          return false;
        }
      },
      10s);
  return granted;
}

std::string spawner_state(const json& status, const std::string& id) {
  const auto spawner = find_spawner(status, id);
  return spawner ? spawner->at("state").get<std::string>() : "gone";
}
}  // namespace

TEST_CASE("a silent spawner keeps its leases and gets no new ones until it answers again", "[platform][processes]") {
  ManagedCluster cluster({"--heartbeat-ms", "100"}, {"--cores", "2"});
  SpawnerProcess& spawner = cluster.spawner();
  std::optional<Lease> lease = lease_one_core(cluster);
  REQUIRE(lease);

  spawner.signal(SIGSTOP);
  const bool marked = eventually([&] { return spawner_state(cluster.status(), spawner.id()) == "not responding"; }, 10s);
  json while_silent = cluster.status();
  std::string refusal;
  try {
    cluster.client().lease({.cores = 1, .memory_mib = 64, .duration = 60s});
  } catch (const Error& error) {
    refusal = error.what();
  }
  spawner.signal(SIGCONT);
  REQUIRE(marked);
  INFO("status while silent: " << while_silent.dump());
  CHECK(find_lease(while_silent, lease->id()).value().at("state") == "active");
  CHECK_THAT(refusal, Contains("not answering heartbeats: " + spawner.id()));

  CHECK(eventually([&] { return spawner_state(cluster.status(), spawner.id()) == "up"; }, 10s));
  CHECK_NOTHROW(lease->renew(30s));
  CHECK(find_lease(cluster.status(), lease->id()).value().at("state") == "active");
  CHECK(spawner.stop(5s).has_value());
}

TEST_CASE("a spawner silent past its timeout is dropped, its leases are revoked, and it rejoins",
          "[platform][processes]") {
  ManagedCluster cluster({"--heartbeat-ms", "100", "--spawner-timeout-s", "1"}, {"--cores", "2"});
  SpawnerProcess& spawner = cluster.spawner();
  std::optional<Lease> lease = lease_one_core(cluster);
  REQUIRE(lease);

  spawner.signal(SIGSTOP);
  const bool dropped = eventually(
      [&] {
        const json now = cluster.status();
        return spawner_state(now, spawner.id()) == "gone" && find_lease(now, lease->id()).value().at("state") == "revoked";
      },
      10s);
  spawner.signal(SIGCONT);
  CHECK(dropped);
  INFO("status: " << cluster.status().dump());
  CHECK_THAT(find_lease(cluster.status(), lease->id()).value().at("reason").get<std::string>(), Contains("lost"));
  try {
    lease->renew(10s);
    FAIL("a revoked lease was renewed");
  } catch (const Error& error) {
    CHECK(error.code() == Errc::expired);
  }
  CHECK(eventually([&] { return spawner_state(cluster.status(), spawner.id()) == "up"; }, 10s));
  CHECK(spawner.stop(5s).has_value());
}

TEST_CASE("a spawned program's exit code and output reach the client", "[platform][processes][output]") {
  TempDir dir;
  SpawnerProcess spawner(dir, {"--cores", "2"});
  auto client = spawner_client(spawner.address());
  Lease lease = client->lease({.cores = 1, .memory_mib = 64});

  Capture out(STDOUT_FILENO);
  Capture err(STDERR_FILENO);
  std::optional<ProgramExit> exit;
  {
    Program program = client->spawn(lease, {"sh", "-c", "echo line1; echo line2 1>&2; exit 3"});
    exit = program.wait(10s);
  }
  const std::string out_text = out.finish();
  const std::string err_text = err.finish();
  INFO("captured stdout: " << out_text);
  INFO("captured stderr: " << err_text);
  REQUIRE(exit);
  CHECK(exit->exit_code == 3);
  CHECK(exit->signal == 0);
  CHECK(out_text == "line1\n");
  // This process's stderr also carries the daemons' echoed logs.
  CHECK_THAT(err_text, Contains("line2\n"));
  CHECK_THAT(err_text, !Contains("line1"));
}

TEST_CASE("a program that exits at once still reports its exit to the client", "[platform][processes]") {
  // The spawner sends SpawnReply and, for a program that exits at once, ExecutorExit
  // right after it. When both reach the client together, it must not drop the exit of
  // a program it has not finished registering. Both arrive together when the client is
  // descheduled just after asking (here: paused by a signal) and the client talks to the
  // spawner over TCP, as it does across nodes (shared memory delivers them one by one).
  const WaitMode mode = GENERATE(WaitMode::hot, WaitMode::warm);
  TempDir dir;
  SpawnerProcess spawner(dir, {"--cores", "2"});
  ClientOptions options;
  options.spawners = {spawner.address()};
  options.mode = mode;
  std::unique_ptr<Client> client;
  {
    ScopedEnvironment tcp_only({{"UCX_TLS", "tcp"}, {"UCX_NET_DEVICES", "lo"}});
    client = Client::create(options);
  }
  Lease lease = client->lease({.cores = 1, .memory_mib = 64});
  for (int round = 0; round < 5; ++round) {
    INFO("client mode " << ucx::wait_mode_name(mode) << ", round " << round);
    std::optional<Program> program;
    {
      ThreadPause pause(300us, 100ms);
      program.emplace(client->spawn(lease, {"sh", "-c", "exit 7"}));
    }
    const auto exit = program->wait(3s);
    REQUIRE(exit.has_value());
    CHECK(exit->exit_code == 7);
  }
}

TEST_CASE("a spawned program gets its environment and runs in a lease directory", "[platform][processes][output]") {
  TempDir dir;
  SpawnerProcess spawner(dir, {"--cores", "2"});
  auto client = spawner_client(spawner.address());
  Lease lease = client->lease({.cores = 1, .memory_mib = 64});
  Capture out(STDOUT_FILENO);
  std::optional<ProgramExit> exit;
  {
    Program program = client->spawn(lease, {"sh", "-c", "echo \"$FERRY_TEST_VALUE\"; pwd"}, {"FERRY_TEST_VALUE=hello"});
    exit = program.wait(10s);
  }
  const std::string text = out.finish();
  REQUIRE(exit);
  CHECK(exit->exit_code == 0);
  CHECK_THAT(text, Catch::Matchers::StartsWith("hello\n"));
  CHECK_THAT(text, Contains(dir.path().string()));
}

TEST_CASE("daemons print their address as the first line of stdout", "[platform][cli]") {
  TempDir dir;
  const std::string secret = dir.file("secret");
  make_secret(secret);
  ManagerProcess manager(secret);
  SpawnerProcess spawner(dir, manager.address(), secret);
  INFO("manager's stdout: " << manager.lines().front());
  CHECK(manager.ready_index() == 0);
  INFO("spawner's stdout: " << spawner.lines().front());
  CHECK(spawner.ready_index() == 0);
  CHECK_THAT(manager.address(), Catch::Matchers::StartsWith("127.0.0.1:"));
  CHECK_THAT(spawner.address(), Catch::Matchers::StartsWith("127.0.0.1:"));
}

TEST_CASE("daemons stop cleanly on SIGTERM", "[platform][cli]") {
  TempDir dir;
  const std::string secret = dir.file("secret");
  make_secret(secret);
  ManagerProcess manager(secret);
  SpawnerProcess spawner(dir, manager.address(), secret);
  const auto spawner_exit = spawner.stop(10s);
  REQUIRE(spawner_exit);
  CHECK(WIFEXITED(*spawner_exit));
  CHECK(WEXITSTATUS(*spawner_exit) == 0);
  const auto manager_exit = manager.stop(10s);
  REQUIRE(manager_exit);
  CHECK(WIFEXITED(*manager_exit));
  CHECK(WEXITSTATUS(*manager_exit) == 0);
}

}  // namespace ferry::test
