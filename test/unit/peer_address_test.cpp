#include <catch2/catch.hpp>
#include <cstddef>
#include <vector>

#include "mpi_shim/peer_address.hpp"

namespace {

std::vector<std::byte> bytes(size_t size, int seed) {
  std::vector<std::byte> out(size);
  for (size_t i = 0; i < size; ++i) out[i] = std::byte(uint8_t(seed + i * 7));
  return out;
}

std::vector<std::byte> copy(std::span<const std::byte> span) { return {span.begin(), span.end()}; }

}  // namespace

TEST_CASE("A peer address carries the worker address and the node", "[peer_address]") {
  for (const size_t size : {1UL, 12UL, 13UL, 300UL}) {
    const std::vector<std::byte> worker = bytes(size, int(size));
    const uint64_t node = 0xfedcba9876543210ULL + size;
    const std::vector<std::byte> address = ferry::mpi::with_node(worker, node);
    const ferry::mpi::PeerAddress peer = ferry::mpi::split_peer_address(address);
    CHECK(copy(peer.worker) == worker);
    REQUIRE(peer.node);
    CHECK(*peer.node == node);
  }
}

TEST_CASE("A bare worker address has no node", "[peer_address]") {
  for (const size_t size : {0UL, 5UL, 12UL, 200UL}) {
    const std::vector<std::byte> worker = bytes(size, 3);
    const ferry::mpi::PeerAddress peer = ferry::mpi::split_peer_address(worker);
    CHECK(copy(peer.worker) == worker);
    CHECK_FALSE(peer.node);
  }
}
