#pragma once
// What one group tells the other when they make an intercommunicator (MPI_Comm_spawn,
// MPI_Comm_connect/_accept, MPI_Intercomm_create), and its encoding.

#include <cstddef>
#include <cstdint>
#include <vector>

namespace ferry::mpi {

using Bytes = std::vector<std::byte>;

struct GroupDescription {
  uint32_t context_id = 0;       ///< the id its members receive on
  bool all_batch = false;        ///< every member is a batch rank of a hybrid world
  Bytes world;                   ///< then: that world's rank 0's address (names the world)
  uint32_t leader = 0;           ///< the rank of the group's leader
  std::vector<Bytes> addresses;  ///< its members' UCX worker addresses, in rank order
};
Bytes encode(const GroupDescription& description);
/// Throws Error(protocol) on a malformed description.
GroupDescription decode_description(const Bytes& bytes);

}  // namespace ferry::mpi
