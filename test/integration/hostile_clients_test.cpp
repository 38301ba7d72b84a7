// Clients that do not play by the rules must not stop a daemon from serving the others:
// thousands of TCP connections that say nothing or stop half-way, garbage sent as fast
// as the socket takes it, and UCX connections that never send a message.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <atomic>
#include <random>
#include <thread>

#include "runtime/common/unique_fd.hpp"
#include "test/integration/cluster.hpp"
#include "test/integration/helpers.hpp"
#include "test/integration/raw_peer.hpp"
#include "test/support/daemons.hpp"

namespace ferry::test {
namespace {

using nlohmann::json;

/// A TCP connection to HOST:PORT; an invalid descriptor when it cannot be made.
UniqueFd tcp_connect(const std::string& address) {
  const auto colon = address.rfind(':');
  sockaddr_in peer{};
  peer.sin_family = AF_INET;
  peer.sin_port = htons(static_cast<uint16_t>(std::stoi(address.substr(colon + 1))));
  ::inet_pton(AF_INET, address.substr(0, colon).c_str(), &peer.sin_addr);
  UniqueFd socket(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (socket.get() < 0 || ::connect(socket.get(), reinterpret_cast<sockaddr*>(&peer), sizeof peer) != 0) return {};
  return socket;
}

/// How many descriptors this process may open, after raising the limit as far as it goes.
uint64_t descriptor_limit() {
  rlimit files{};
  ::getrlimit(RLIMIT_NOFILE, &files);
  files.rlim_cur = files.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &files);
  ::getrlimit(RLIMIT_NOFILE, &files);
  return files.rlim_cur;
}

uint64_t manager_connections(ManagedCluster& cluster) {
  return cluster.status().at("manager").at("connections").get<uint64_t>();
}

}  // namespace

TEST_CASE("daemons serve while one client holds thousands of idle and half-sent TCP connections",
          "[platform][hostile]") {
  // 10,000 when this process and the daemons may open that many descriptors.
  const uint64_t connections = std::min<uint64_t>(10'000, (descriptor_limit() - 256) / 2 * 2);
  INFO("connections: " << connections);
  ManagedCluster cluster;
  const std::string spawner = cluster.spawner().address();
  std::vector<UniqueFd> held;
  for (uint64_t i = 0; i < connections; ++i) {
    UniqueFd socket = tcp_connect(i % 2 == 0 ? cluster.manager().address() : spawner);
    REQUIRE(socket.get() >= 0);
    if (i % 4 < 2) {
      static constexpr char half_a_request[] = {0x10, 0x00, 0x00};
      REQUIRE(::send(socket.get(), half_a_request, sizeof half_a_request, MSG_NOSIGNAL) > 0);
    }
    held.push_back(std::move(socket));
  }
  CHECK_NOTHROW(cluster.status());
  Lease lease = cluster.client().lease({.cores = 1, .memory_mib = 64, .duration = 60s});
  Program program = cluster.client().spawn(lease, {"sleep", "0.2"});
  const auto exit = program.wait(30s);
  REQUIRE(exit);
  CHECK(exit->exit_code == 0);
  CHECK_FALSE(cluster.manager().wait_exit(0ms).has_value());
  CHECK_FALSE(cluster.spawner().wait_exit(0ms).has_value());
}

TEST_CASE("daemons serve while clients send them garbage over TCP as fast as it goes", "[platform][hostile]") {
  ManagedCluster cluster;
  const std::vector<std::string> targets{cluster.manager().address(), cluster.spawner().address()};
  std::atomic<bool> flooding{true};
  std::atomic<uint64_t> sent{0};
  std::vector<std::thread> flooders;
  for (int t = 0; t < 4; ++t) {
    flooders.emplace_back([&, t] {
      std::mt19937_64 random(static_cast<uint64_t>(t));
      std::vector<uint64_t> garbage(8192);
      while (flooding) {
        // A daemon that stops reading leaves the socket full: then a new connection.
        UniqueFd socket = tcp_connect(targets[size_t(t) % targets.size()]);
        while (flooding && socket.get() >= 0) {
          for (auto& word : garbage) word = random();
          const ssize_t n = ::send(socket.get(), garbage.data(), garbage.size() * sizeof(uint64_t),
                                   MSG_NOSIGNAL | MSG_DONTWAIT);
          if (n <= 0) break;
          sent += static_cast<uint64_t>(n);
        }
      }
    });
  }
  uint32_t answered = 0;
  for (int i = 0; i < 10; ++i) {
    try {
      cluster.status();
      Lease lease = cluster.client().lease({.cores = 1, .memory_mib = 64, .duration = 60s});
      lease.release();
      ++answered;
    } catch (const Error& error) {
      UNSCOPED_INFO("request " << i << ": " << error.what());
    }
  }
  flooding = false;
  for (auto& thread : flooders) thread.join();
  INFO("garbage bytes sent: " << sent.load());
  CHECK(sent.load() > 0);
  CHECK(answered == 10);
  CHECK_FALSE(cluster.manager().wait_exit(0ms).has_value());
  CHECK_FALSE(cluster.spawner().wait_exit(0ms).has_value());
}

TEST_CASE("a UCX connection that sends nothing is closed, and one that floods malformed messages is not served",
          "[platform][hostile]") {
  ManagedCluster cluster({"--silent-connection-ms", "500"});
  const std::string manager = cluster.manager().address();
  const uint64_t before = manager_connections(cluster);
  RawPeer silent;
  // Connects, and says nothing.
  CHECK(eventually([&] { return !silent.failed(manager) && manager_connections(cluster) == before + 1; }, 5s));
  CHECK(eventually([&] { return silent.failed(manager); }, 10s));
  CHECK(eventually([&] { return manager_connections(cluster) == before; }, 5s));

  // A peer whose every message is malformed never counts as having spoken.
  RawPeer flooder;
  std::vector<std::byte> garbage(64, std::byte{0xFF});
  uint32_t answered = 0;
  for (int round = 0; round < 20; ++round) {
    for (int i = 0; i < 200 && !flooder.failed(manager); ++i) flooder.send_bytes(manager, garbage);
    if (cluster.status().is_object()) ++answered;
  }
  CHECK(answered == 20);
  CHECK(eventually([&] { return flooder.failed(manager); }, 10s));
  CHECK_FALSE(cluster.manager().wait_exit(0ms).has_value());
}

}  // namespace ferry::test
