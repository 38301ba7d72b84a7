// Invocation correctness, parallelism and registered buffers on the single-machine
// default (embedded manager and spawner, real ferry-worker processes).
#include <catch2/catch.hpp>

#include <algorithm>

#include "runtime/client/client.hpp"
#include "test/support/daemons.hpp"
#include "test/integration/helpers.hpp"

namespace ferry::test {
namespace {

constexpr size_t kib = 1024;
constexpr size_t mib = 1024 * kib;

std::string mode_name(WaitMode mode) { return std::string(ucx::wait_mode_name(mode)); }

std::unique_ptr<Client> embedded_client(WaitMode mode) {
  ClientOptions options;
  options.mode = mode;
  return Client::create(options);
}

void check_increment_sizes(Executor& executor) {
  for (const size_t size : {size_t{0}, size_t{1}, size_t{8}, 4 * kib, 64 * kib, 1 * mib, 16 * mib}) {
    INFO("payload " << size << " bytes");
    const std::vector<std::byte> input = pattern(size, static_cast<uint32_t>(size));
    std::vector<std::byte> output(size, std::byte{0});
    const int64_t written = executor.invoke(0, input, output);
    CHECK(written == static_cast<int64_t>(size));
    CHECK(increment_mismatches(input, output.data(), size) == 0);
  }
}

}  // namespace

TEST_CASE("increment_bytes is correct for payloads from 0 B to 16 MiB in every executor mode",
          "[platform][invoke]") {
  const WaitMode mode = GENERATE(WaitMode::hot, WaitMode::warm, WaitMode::adaptive);
  INFO("executor mode " << mode_name(mode));
  auto client = embedded_client(WaitMode::warm);
  Lease lease = client->lease({.cores = 1});
  Executor executor =
      client->allocate(lease, {.library = test_library(), .functions = {"increment_bytes"}, .mode = mode});
  CHECK(executor.threads() == 1);
  check_increment_sizes(executor);
  CHECK(executor.alive());
}

TEST_CASE("a lease is billed the time its hot executor busy-polled, and none for a warm one",
          "[platform][invoke][accounting]") {
  const WaitMode mode = GENERATE(WaitMode::hot, WaitMode::warm);
  INFO("executor mode " << mode_name(mode));
  auto client = embedded_client(WaitMode::warm);
  uint64_t lease_id = 0;
  {
    Lease lease = client->lease({.cores = 1, .memory_mib = 64});
    lease_id = lease.id();
    Executor executor = client->allocate(lease, {.library = test_library(), .functions = {"noop"}, .mode = mode});
    for (int i = 0; i < 100; ++i) REQUIRE(executor.invoke(0, {}, {}) == 0);
  }
  nlohmann::json lease;
  REQUIRE(eventually([&] {
    lease = find_lease(nlohmann::json::parse(client->status()), lease_id).value_or(nlohmann::json{});
    return !lease.is_null() && lease.at("executors").get<uint64_t>() == 1 && lease.at("wall_s").get<double>() > 0;
  }, 10s));
  if (mode == WaitMode::hot) {
    CHECK(lease.at("hot_poll_s").get<double>() > 0);
    CHECK(lease.at("hot_poll_s").get<double>() <= lease.at("wall_s").get<double>());
  } else {
    CHECK(lease.at("hot_poll_s").get<double>() == 0);
  }
}

TEST_CASE("a hot or adaptive client invokes correctly too", "[platform][invoke]") {
  const WaitMode client_mode = GENERATE(WaitMode::hot, WaitMode::adaptive);
  const WaitMode executor_mode = GENERATE(WaitMode::warm, WaitMode::adaptive);
  INFO("client mode " << mode_name(client_mode) << ", executor mode " << mode_name(executor_mode));
  auto client = embedded_client(client_mode);
  Lease lease = client->lease({.cores = 1});
  Executor executor =
      client->allocate(lease, {.library = test_library(), .functions = {"increment_bytes"}, .mode = executor_mode});
  check_increment_sizes(executor);
}

TEST_CASE("output capacity is independent of input size: expand 8 B into 1 MiB", "[platform][invoke]") {
  auto client = embedded_client(WaitMode::warm);
  Lease lease = client->lease({.cores = 1});
  Executor executor =
      client->allocate(lease, {.library = test_library(), .functions = {"expand"}, .mode = WaitMode::warm});
  const std::vector<std::byte> input = u64_bytes(1 * mib);
  std::vector<std::byte> output(1 * mib, std::byte{0});
  REQUIRE(executor.invoke(0, input, output) == static_cast<int64_t>(1 * mib));
  CHECK(std::all_of(output.begin(), output.end(), [](std::byte b) { return b == std::byte{0x5a}; }));

  SECTION("asking for more than the output capacity is a function error, not an overflow") {
    std::vector<std::byte> small(1 * kib);
    try {
      executor.invoke(0, input, small);
      FAIL("expand into a too-small buffer succeeded");
    } catch (const Error& error) {
      CHECK(error.code() == Errc::function_failed);
    }
    CHECK(executor.alive());
  }
}

TEST_CASE("64 asynchronous invocations in flight on 2 threads, resolved in reverse order",
          "[platform][invoke][async]") {
  auto client = embedded_client(WaitMode::warm);
  Lease lease = client->lease({.cores = 2});
  Executor executor =
      client->allocate(lease, {.library = test_library(), .functions = {"increment_bytes"}, .mode = WaitMode::warm});
  REQUIRE(executor.threads() == 2);

  constexpr size_t count = 64;
  std::vector<std::vector<std::byte>> inputs;
  std::vector<std::vector<std::byte>> outputs;
  for (size_t i = 0; i < count; ++i) {
    inputs.push_back(pattern(256 + i * 97, static_cast<uint32_t>(i)));
    outputs.emplace_back(inputs.back().size(), std::byte{0});
  }
  std::vector<Future> futures;
  for (size_t i = 0; i < count; ++i) futures.push_back(executor.invoke_async(0, inputs[i], outputs[i]));
  for (size_t i = count; i-- > 0;) {
    INFO("invocation " << i);
    CHECK(futures[i].get() == static_cast<int64_t>(inputs[i].size()));
    CHECK(increment_mismatches(inputs[i], outputs[i].data(), inputs[i].size()) == 0);
  }
}

TEST_CASE("registered buffers are reused across 100 invocations", "[platform][invoke][buffers]") {
  auto client = embedded_client(WaitMode::warm);
  Lease lease = client->lease({.cores = 1});
  Executor executor =
      client->allocate(lease, {.library = test_library(), .functions = {"increment_bytes"}, .mode = WaitMode::warm});
  Buffer input = client->allocate_buffer(64 * kib);
  Buffer output = client->allocate_buffer(64 * kib);
  for (uint32_t round = 0; round < 100; ++round) {
    const size_t size = 1 + (round * 677U) % (64 * kib);
    const std::vector<std::byte> expected_from = pattern(size, round);
    std::copy(expected_from.begin(), expected_from.end(), input.span().begin());
    std::fill(output.span().begin(), output.span().end(), std::byte{0});
    const int64_t written = executor.invoke_async(0, input, size, output).get();
    if (written != static_cast<int64_t>(size) ||
        increment_mismatches(expected_from, static_cast<const std::byte*>(output.data()), size) != 0) {
      FAIL_CHECK("round " << round << " (" << size << " bytes) returned " << written << " or wrong bytes");
    }
  }
  CHECK(executor.alive());
}

TEST_CASE("large registered inputs arrive intact, into registered or plain output memory",
          "[platform][invoke][buffers]") {
  auto client = embedded_client(WaitMode::hot);
  Lease lease = client->lease({.cores = 1});
  Executor executor =
      client->allocate(lease, {.library = test_library(), .functions = {"increment_bytes"}, .mode = WaitMode::hot});
  Buffer input = client->allocate_buffer(24 * mib);
  Buffer output = client->allocate_buffer(24 * mib);
  for (const size_t size : {1 * mib, 24 * mib - 3}) {
    INFO("payload " << size << " bytes");
    const std::vector<std::byte> expected_from = pattern(size, static_cast<uint32_t>(size));
    std::copy(expected_from.begin(), expected_from.end(), input.span().begin());
    std::vector<std::byte> plain(size, std::byte{0});
    CHECK(executor.invoke_async(0, input, size, plain).get() == static_cast<int64_t>(size));
    CHECK(increment_mismatches(expected_from, plain.data(), size) == 0);
    std::fill(output.span().begin(), output.span().end(), std::byte{0});
    CHECK(executor.invoke_async(0, input, size, output).get() == static_cast<int64_t>(size));
    CHECK(increment_mismatches(expected_from, static_cast<const std::byte*>(output.data()), size) == 0);
  }
  CHECK(executor.alive());
}

}  // namespace ferry::test
