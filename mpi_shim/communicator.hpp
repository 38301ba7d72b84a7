#pragma once
// Hybrid communicators and groups: shim objects whose addresses are handed out as
// MPI_Comm / MPI_Group. MPI_COMM_WORLD itself is hybrid whenever F > 0. A communicator
// whose members are all batch ranks is a native Open MPI communicator instead.

#include <mpi.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace ferry::mpi {

struct Topology;  // topology/topology.hpp

struct Group {
  std::vector<int> members;  ///< world rank of each group rank

  int size() const noexcept { return int(members.size()); }
  /// Rank in this group of `world_rank`, or MPI_UNDEFINED.
  int rank_of(int world_rank) const noexcept;
};

struct Comm {
  uint32_t context_id = 0;
  Group group;
  int rank = 0;  ///< this process's rank in the communicator
  uint32_t collective_sequence = 0;
  MPI_Errhandler errhandler = MPI_ERRORS_ARE_FATAL;
  std::string name;
  std::map<int, void*> attributes;
  std::shared_ptr<Topology> topology;

  int size() const noexcept { return group.size(); }
  int world_rank(int comm_rank) const noexcept { return group.members[size_t(comm_rank)]; }
  /// Sequence number of the next collective on this communicator (tags its traffic).
  uint32_t next_sequence() noexcept { return collective_sequence++; }
};

/// The shim's communicator behind `handle`, or nullptr for a native one.
Comm* hybrid(MPI_Comm handle) noexcept;
/// The shim's group behind `handle`, or nullptr for a native one.
Group* hybrid(MPI_Group handle) noexcept;

MPI_Comm handle_of(Comm* comm) noexcept;
MPI_Group handle_of(Group* group) noexcept;
/// Hands out a new shim group.
MPI_Group make_group(std::vector<int> world_members);
/// Converts any group (native ones are groups of batch ranks) to its world-rank members.
std::vector<int> members_of(MPI_Group group);

/// Registers a new shim communicator / forgets a freed one (and its group).
Comm* register_comm(std::unique_ptr<Comm> comm);
void forget_comm(Comm* comm) noexcept;
void forget_group(Group* group) noexcept;

/// The hybrid MPI_COMM_WORLD; created by MPI_Init.
Comm& world_comm() noexcept;
void create_world_comm(int size, int rank);

/// Creates a communicator over `world_members` (in rank order), collectively over the
/// members of `parent` that call it with the same list. Every member of `parent` calls
/// it; those not in the list get MPI_COMM_NULL. An all-batch list yields a native
/// communicator. `copy_from` (dup) copies attributes, error handler and topology.
MPI_Comm create_comm(Comm& parent, const std::vector<int>& world_members, const Comm* copy_from = nullptr);

/// Exchanges `size` bytes from every rank; `all` receives size * comm.size() bytes in rank order.
void allgather_bytes(Comm& comm, const void* mine, size_t size, void* all);

}  // namespace ferry::mpi
