#include "mpi_shim/peer_address.hpp"

#include <array>
#include <cstring>

namespace ferry::mpi {

namespace {

constexpr std::array<std::byte, 4> marker = {std::byte{'F'}, std::byte{'n'}, std::byte{'o'}, std::byte{'d'}};
constexpr size_t suffix_size = sizeof(uint64_t) + marker.size();

}  // namespace

std::vector<std::byte> with_node(std::span<const std::byte> worker, uint64_t node) {
  std::vector<std::byte> address(worker.begin(), worker.end());
  address.resize(worker.size() + suffix_size);
  std::memcpy(address.data() + worker.size(), &node, sizeof node);
  std::memcpy(address.data() + worker.size() + sizeof node, marker.data(), marker.size());
  return address;
}

PeerAddress split_peer_address(std::span<const std::byte> address) {
  if (address.size() <= suffix_size ||
      std::memcmp(address.data() + address.size() - marker.size(), marker.data(), marker.size()) != 0) {
    return {address, std::nullopt};
  }
  uint64_t node = 0;
  std::memcpy(&node, address.data() + address.size() - suffix_size, sizeof node);
  return {address.first(address.size() - suffix_size), node};
}

}  // namespace ferry::mpi
