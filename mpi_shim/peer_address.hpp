#pragma once
// A rank's address as the shim hands it around (start-up tables, spawn, ports): its UCX
// worker address followed by its node, so that a peer knows whether it runs on the same
// node. Endpoints to other nodes report a vanished peer quietly instead of UCX printing
// errors when a job ends there first.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace ferry::mpi {

struct PeerAddress {
  std::span<const std::byte> worker;  ///< the UCX worker address
  std::optional<uint64_t> node;       ///< a hash of the node's name; none in a bare address
};

/// `worker` with `node` appended.
std::vector<std::byte> with_node(std::span<const std::byte> worker, uint64_t node);
/// Splits what with_node() made; a bare worker address comes back whole, with no node.
PeerAddress split_peer_address(std::span<const std::byte> address);

}  // namespace ferry::mpi
