#pragma once
// What MPI_Comm_spawn's root and the children it starts say to each other: each child's
// hello (the job secret, its rank, the context id it receives on from the parents, its
// UCX worker address) and the root's answer (every child's address and the parents'
// group), and what the root tells the other parents afterwards.

#include <cstdint>
#include <string>
#include <vector>

#include "mpi_shim/dynamic/group_description.hpp"
#include "mpi_shim/tags.hpp"

namespace ferry::mpi {

/// The context id of spawn traffic (tags.hpp keeps it from communicators).
inline constexpr uint32_t spawn_context = spawn_context_id;
inline constexpr size_t spawn_secret_size = 32;

/// Tags: the sequence field carries the spawn's id; the source field the child's rank.
constexpr ucp_tag_t spawn_hello_tag(uint32_t spawn_id, int child) noexcept {
  return internal_tag(spawn_id, child, spawn_context);
}
constexpr ucp_tag_t spawn_table_tag(uint32_t spawn_id) noexcept {
  return internal_tag(spawn_id, max_ranks - 1, spawn_context);
}

struct SpawnHello {
  Bytes secret;
  uint32_t rank = 0;
  uint32_t context_id = 0;
  Bytes address;
};
Bytes encode(const SpawnHello& hello);
/// Throws Error(protocol) on a malformed hello.
SpawnHello decode_hello(const Bytes& bytes);

struct SpawnTable {
  std::vector<Bytes> children;  ///< every child's address, in rank order
  GroupDescription parents;
};
Bytes encode(const SpawnTable& table);
SpawnTable decode_table(const Bytes& bytes);

/// What the root tells the other parents: an error code per child, and either why the
/// spawn failed or the children's group.
struct SpawnOutcome {
  std::vector<int32_t> errcodes;
  std::string failure;
  GroupDescription children;
};
Bytes encode(const SpawnOutcome& outcome);
SpawnOutcome decode_outcome(const Bytes& bytes);

}  // namespace ferry::mpi
