// Function executors started on warm ferry-workers: the spawner keeps one waiting, hands
// it the lease's library, key, cores, memory limit and directory, and starts the next.
#include <signal.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "runtime/client/client.hpp"
#include "test/integration/helpers.hpp"
#include "test/support/daemons.hpp"

namespace ferry::test {
namespace {

std::unique_ptr<Client> client_of(const SpawnerProcess& spawner) {
  ClientOptions options;
  options.spawners = {spawner.address()};
  options.mode = WaitMode::warm;
  return Client::create(options);
}

/// The one ferry-worker waiting at `spawner`, once there is one.
pid_t waiting_worker(const SpawnerProcess& spawner) {
  std::vector<pid_t> workers;
  eventually([&] { return (workers = children_named(spawner.pid(), "ferry-worker")).size() == 1; }, 10s);
  REQUIRE(workers.size() == 1);
  return workers.front();
}

/// A line of /proc/<pid>/<file> that starts with `prefix`, without it.
std::string proc_line(const std::string& path, const std::string& prefix) {
  std::ifstream file(path);
  for (std::string line; std::getline(file, line);) {
    if (line.starts_with(prefix)) return line.substr(prefix.size());
  }
  return {};
}

/// Cpus_allowed_list of every thread of `pid`.
std::set<std::string> thread_cpus(pid_t pid) {
  std::set<std::string> lists;
  for (const auto& task : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task")) {
    std::string list = proc_line(task.path().string() + "/status", "Cpus_allowed_list:");
    list.erase(0, list.find_first_not_of(" \t"));
    lists.insert(list);
  }
  return lists;
}

}  // namespace

TEST_CASE("a function executor starts on the waiting ferry-worker, inside its lease", "[platform][warm]") {
  TempDir dir;
  SpawnerProcess spawner(dir, {"--cpus", "0", "--cores", "2"});
  const pid_t warm = waiting_worker(spawner);
  CHECK(thread_cpus(warm).size() == 1);

  auto client = client_of(spawner);
  Lease lease = client->lease({.cores = 1, .memory_mib = 300});
  Executor executor = client->allocate(lease, {.library = test_library(), .functions = {"noop"}, .mode = WaitMode::warm});
  REQUIRE(executor.invoke(0, {}, {}) == 0);
  CHECK(executor.pid() == warm);

  // Every thread, the ones UCX made while it waited too, runs on the leased core.
  CHECK(thread_cpus(warm) == std::set<std::string>{"0"});
  CHECK(std::filesystem::read_symlink("/proc/" + std::to_string(warm) + "/cwd") ==
        std::filesystem::path(spawner.work_root()) / ("lease-" + std::to_string(lease.id())));
#if !defined(__SANITIZE_ADDRESS__)
  std::istringstream limit(proc_line("/proc/" + std::to_string(warm) + "/limits", "Max data size"));
  uint64_t soft = 0;
  limit >> soft;
  CHECK(soft == uint64_t{300} << 20);
#endif

  // The next one is already waiting, and a second executor starts on it.
  std::vector<pid_t> workers;
  CHECK(eventually([&] { return (workers = children_named(spawner.pid(), "ferry-worker")).size() == 2; }, 10s));
  Lease second_lease = client->lease({.cores = 1, .memory_mib = 64});
  Executor second = client->allocate(second_lease, {.library = test_library(), .functions = {"noop"}, .mode = WaitMode::warm});
  REQUIRE(second.invoke(0, {}, {}) == 0);
  CHECK(second.pid() != warm);
  CHECK(std::find(workers.begin(), workers.end(), second.pid()) != workers.end());
}

TEST_CASE("an executor starts cold when its waiting ferry-worker died, or when none are kept", "[platform][warm]") {
  TempDir dir;
  SECTION("the waiting worker was killed") {
    SpawnerProcess spawner(dir, {"--cores", "1"});
    const pid_t warm = waiting_worker(spawner);
    REQUIRE(::kill(warm, SIGKILL) == 0);
    REQUIRE(process_reaped(warm, 10s));
    auto client = client_of(spawner);
    Lease lease = client->lease({.cores = 1, .memory_mib = 64});
    Executor executor = client->allocate(lease, {.library = test_library(), .functions = {"noop"}, .mode = WaitMode::warm});
    CHECK(executor.invoke(0, {}, {}) == 0);
    CHECK(executor.pid() != warm);
  }
  SECTION("--warm-workers 0") {
    SpawnerProcess spawner(dir, {"--cores", "1", "--warm-workers", "0"});
    std::this_thread::sleep_for(300ms);
    CHECK(children_named(spawner.pid(), "ferry-worker").empty());
    auto client = client_of(spawner);
    Lease lease = client->lease({.cores = 1, .memory_mib = 64});
    Executor executor = client->allocate(lease, {.library = test_library(), .functions = {"noop"}, .mode = WaitMode::warm});
    CHECK(executor.invoke(0, {}, {}) == 0);
    CHECK(children_named(spawner.pid(), "ferry-worker") == std::vector<pid_t>{executor.pid()});
  }
}

TEST_CASE("a lease is billed from its executor's start, not from when its worker began to wait", "[platform][warm]") {
  TempDir dir;
  SpawnerProcess spawner(dir, {"--cores", "1"});
  waiting_worker(spawner);
  std::this_thread::sleep_for(1500ms);
  auto client = client_of(spawner);
  const auto started = std::chrono::steady_clock::now();
  uint64_t lease_id = 0;
  {
    Lease lease = client->lease({.cores = 1, .memory_mib = 64});
    lease_id = lease.id();
    Executor executor = client->allocate(lease, {.library = test_library(), .functions = {"noop"}, .mode = WaitMode::warm});
    REQUIRE(executor.invoke(0, {}, {}) == 0);
  }
  const double used_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  nlohmann::json lease;
  CHECK(eventually([&] {
    lease = find_lease(nlohmann::json::parse(client->status()), lease_id).value_or(nlohmann::json{});
    return !lease.is_null() && lease.at("executors").get<uint64_t>() == 1 && lease.at("wall_s").get<double>() > 0;
  }, 10s));
  CHECK(lease.at("wall_s").get<double>() <= used_s);
}

}  // namespace ferry::test
