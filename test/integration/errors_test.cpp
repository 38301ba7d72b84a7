// Function errors, executor crashes, and bad input at allocation, on the single-machine
// default.
#include <sys/mman.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <fstream>

#include "runtime/client/client.hpp"
#include "test/support/daemons.hpp"
#include "test/integration/helpers.hpp"

namespace ferry::test {
namespace {

std::unique_ptr<Client> embedded_client() {
  ClientOptions options;
  options.mode = WaitMode::warm;
  return Client::create(options);
}

template <class Call>
Errc error_code_of(Call&& call) {
  try {
    call();
  } catch (const Error& error) {
    UNSCOPED_INFO("error: " << error.what());
    return error.code();
  }
  return Errc::ok;
}

void check_increment_works(Executor& executor, uint32_t index) {
  const std::vector<std::byte> input = pattern(100, 3);
  std::vector<std::byte> output(100);
  CHECK(executor.invoke(index, input, output) == 100);
  CHECK(increment_mismatches(input, output.data(), 100) == 0);
}

// The embedded spawner runs in this process, so its ferry-worker processes are ours.
std::vector<pid_t> our_workers() { return children_named(::getpid(), "ferry-worker"); }

// Those serving a lease, not the one waiting warm for the next executor.
std::vector<pid_t> our_executor_workers() {
  std::vector<pid_t> workers = our_workers();
  std::erase_if(workers, is_waiting_worker);
  return workers;
}

}  // namespace

TEST_CASE("a failing function reports function_failed and the executor stays usable", "[platform][errors]") {
  auto client = embedded_client();
  Lease lease = client->lease({.cores = 1});
  Executor executor = client->allocate(
      lease, {.library = test_library(), .functions = {"fail", "increment_bytes"}, .mode = WaitMode::warm});
  std::vector<std::byte> output(16);
  for (int round = 0; round < 3; ++round) {
    CHECK(error_code_of([&] { executor.invoke(executor.function("fail"), {}, output); }) == Errc::function_failed);
    CHECK(executor.alive());
    check_increment_works(executor, executor.function("increment_bytes"));
  }
}

TEST_CASE("a function claiming more output than the capacity is an error and the executor stays usable",
          "[platform][errors]") {
  auto client = embedded_client();
  Lease lease = client->lease({.cores = 1});
  Executor executor = client->allocate(
      lease, {.library = test_library(), .functions = {"overflow", "increment_bytes"}, .mode = WaitMode::warm});
  std::vector<std::byte> output(64);
  const Errc code = error_code_of([&] { executor.invoke(0, pattern(8), output); });
  CHECK(code != Errc::ok);
  CHECK(code != Errc::executor_dead);
  CHECK(executor.alive());
  check_increment_works(executor, 1);
}

TEST_CASE("a crashing function kills the executor: executor_dead, a reason, and no process left",
          "[platform][errors]") {
  const WaitMode mode = GENERATE(WaitMode::hot, WaitMode::warm);
  auto client = embedded_client();
  Lease lease = client->lease({.cores = 1});
  Executor executor =
      client->allocate(lease, {.library = test_library(), .functions = {"crash", "noop"}, .mode = mode});
  const pid_t pid = executor.pid();
  REQUIRE(pid > 0);
  CHECK(error_code_of([&] { executor.invoke(0, {}, {}); }) == Errc::executor_dead);
  CHECK_FALSE(executor.alive());
  // From the spawner at once, not from UCX's keepalive 20 s later ("connection lost").
  CHECK_THAT(executor.death_reason(), Catch::Matchers::Contains("Segmentation fault"));
  INFO("death reason: " << executor.death_reason());
  CHECK(error_code_of([&] { executor.invoke(1, {}, {}); }) == Errc::executor_dead);
  CHECK(error_code_of([&] { executor.invoke_async(1, {}, {}); }) == Errc::executor_dead);
  CHECK(process_gone(pid, 10s));
}

TEST_CASE("a crash fails every invocation in flight with executor_dead", "[platform][errors]") {
  auto client = embedded_client();
  Lease lease = client->lease({.cores = 1});
  Executor executor = client->allocate(
      lease, {.library = test_library(), .functions = {"sleep_ms", "crash"}, .mode = WaitMode::warm});
  const std::vector<std::byte> sleep_input = u64_bytes(200);  // the first 4 bytes: 200 ms
  std::vector<Future> futures;
  for (int i = 0; i < 4; ++i) futures.push_back(executor.invoke_async(0, sleep_input, {}));
  Future crash = executor.invoke_async(1, {}, {});
  for (int i = 0; i < 4; ++i) futures.push_back(executor.invoke_async(0, sleep_input, {}));
  CHECK(error_code_of([&] { crash.get(); }) == Errc::executor_dead);
  size_t dead = 0;
  for (auto& future : futures) {
    const Errc code = error_code_of([&] { future.get(); });
    CHECK((code == Errc::ok || code == Errc::executor_dead));
    if (code == Errc::executor_dead) ++dead;
  }
  CHECK(dead >= 4);  // everything queued behind the crash
  CHECK_FALSE(executor.alive());
}

TEST_CASE("an output capacity the executor cannot allocate is no_resources, and the executor goes on",
          "[platform][errors]") {
  auto client = embedded_client();
  Lease lease = client->lease({.cores = 1, .memory_mib = 256});
  Executor executor =
      client->allocate(lease, {.library = test_library(), .functions = {"increment_bytes"}, .mode = WaitMode::warm});
  // 16 TiB: beyond the lease's limit, and beyond what the kernel lets any process map
  // without MAP_NORESERVE (sanitizer builds run executors without a memory limit). Here
  // it is address space only, never touched, because the executor refuses before writing.
  const size_t huge = size_t{1} << 44;
  void* region = ::mmap(nullptr, huge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  REQUIRE(region != MAP_FAILED);
  const std::vector<std::byte> input = pattern(100, 1);
  CHECK(error_code_of([&] {
          executor.invoke(0, input, std::span<std::byte>(static_cast<std::byte*>(region), huge));
        }) == Errc::no_resources);
  ::munmap(region, huge);
  CHECK(executor.alive());
  check_increment_works(executor, 0);
}

TEST_CASE("allocating with a library path that does not exist is not_found", "[platform][allocation]") {
  auto client = embedded_client();
  Lease lease = client->lease({.cores = 1});
  TempDir dir;
  CHECK(error_code_of([&] {
          client->allocate(lease, {.library = dir.file("no-such-library.so"), .functions = {"noop"}});
        }) == Errc::not_found);
  CHECK(our_workers().empty());
}

TEST_CASE("a library without the named function is not_found, leaves no process, and the lease stays usable",
          "[platform][allocation]") {
  auto client = embedded_client();
  Lease lease = client->lease({.cores = 1});
  REQUIRE(our_workers().empty());
  CHECK(error_code_of([&] {
          client->allocate(lease,
                           {.library = test_library(), .functions = {"noop", "no_such_function"}, .mode = WaitMode::warm});
        }) == Errc::not_found);
  // The failed executor's worker is stopped and reaped, which gives its core back; the one
  // left waits warm for the next executor.
  CHECK(eventually([] { return our_executor_workers().empty() && our_workers().size() <= 1; }, 10s));

  Executor executor =
      client->allocate(lease, {.library = test_library(), .functions = {"increment_bytes"}, .mode = WaitMode::warm});
  check_increment_works(executor, 0);
}

TEST_CASE("a file that is not a shared library is refused and leaves no process", "[platform][allocation]") {
  auto client = embedded_client();
  Lease lease = client->lease({.cores = 1});
  TempDir dir;
  const std::string text = dir.file("not-a-library.so");
  std::ofstream(text) << "this is a text file, not an ELF shared object\n";
  const Errc code = error_code_of([&] {
    client->allocate(lease, {.library = text, .functions = {"noop"}, .mode = WaitMode::warm});
  });
  CHECK(code != Errc::ok);
  CHECK(code == Errc::not_found);
  CHECK(eventually([] { return our_workers().empty(); }, 10s));

  Executor executor =
      client->allocate(lease, {.library = test_library(), .functions = {"increment_bytes"}, .mode = WaitMode::warm});
  check_increment_works(executor, 0);
}

TEST_CASE("allocating with no function names is invalid_argument", "[platform][allocation]") {
  auto client = embedded_client();
  Lease lease = client->lease({.cores = 1});
  CHECK(error_code_of([&] { client->allocate(lease, {.library = test_library(), .functions = {}}); }) ==
        Errc::invalid_argument);
}

}  // namespace ferry::test
