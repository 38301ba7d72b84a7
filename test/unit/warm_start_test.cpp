#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "runtime/common/error.hpp"
#include "spawner/process/warm_start.hpp"

namespace ferry::spawner {
namespace {

WarmStart sample() {
  return WarmStart{{std::byte{0xab}, std::byte{0x01}}, 2, ucx::WaitMode::adaptive, {3, 5}, "/tmp/ferry-x/lease-7"};
}

void check_refused(const std::string& text) {
  try {
    decode_warm_start(text);
    FAIL("accepted: " << text);
  } catch (const Error& error) {
    CHECK(error.code() == Errc::protocol);
  }
}

}  // namespace

TEST_CASE("a warm start record reads back as it was written", "[warm_start]") {
  const WarmStart decoded = decode_warm_start(encode_warm_start(sample()));
  CHECK(decoded.key == sample().key);
  CHECK(decoded.threads == 2);
  CHECK(decoded.mode == ucx::WaitMode::adaptive);
  CHECK(decoded.cpus == std::vector<int>{3, 5});
  CHECK(decoded.working_directory == "/tmp/ferry-x/lease-7");
}

TEST_CASE("malformed warm start records are refused", "[warm_start]") {
  const std::string good = encode_warm_start(sample());
  check_refused("");
  check_refused(good.substr(0, good.find("directory")));  // a field missing
  check_refused(good + "colour blue\n");
  check_refused("nonsense\n" + good);
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"key ab01", "key xyz"}, {"threads 2", "threads 0"}, {"threads 2", "threads -1"},
           {"mode adaptive", "mode sleepy"}, {"cpus 3,5", "cpus 3,,5"}, {"cpus 3,5", "cpus 99999"},
           {"directory /tmp", "directory tmp"}}) {
    std::string bad = good;
    bad.replace(bad.find(from), from.size(), to);
    check_refused(bad);
  }
}

TEST_CASE("a warm start crosses a socket with the library's descriptor", "[warm_start]") {
  int sockets[2];
  REQUIRE(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sockets) == 0);
  UniqueFd spawner_end(sockets[0]), worker_end(sockets[1]);
  int pipe_ends[2];
  REQUIRE(::pipe(pipe_ends) == 0);
  UniqueFd read_end(pipe_ends[0]), write_end(pipe_ends[1]);

  send_warm_start(spawner_end.get(), sample(), read_end.get());
  auto received = receive_warm_start(worker_end.get());
  REQUIRE(received);
  CHECK(received->start.cpus == std::vector<int>{3, 5});
  REQUIRE(::write(write_end.get(), "x", 1) == 1);
  char byte = 0;
  CHECK(::read(received->library.get(), &byte, 1) == 1);
  CHECK(byte == 'x');

  SECTION("a record without a descriptor is refused") {
    const std::string text = encode_warm_start(sample());
    REQUIRE(::send(spawner_end.get(), text.data(), text.size(), 0) == static_cast<ssize_t>(text.size()));
    CHECK_THROWS_AS(receive_warm_start(worker_end.get()), Error);
  }
  SECTION("a closed spawner end means no executor") {
    spawner_end.reset();
    CHECK_FALSE(receive_warm_start(worker_end.get()));
  }
}

}  // namespace ferry::spawner
