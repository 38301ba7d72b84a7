#pragma once
// Hybrid communicators and groups: shim objects whose addresses are handed out as
// MPI_Comm / MPI_Group. MPI_COMM_WORLD itself is hybrid whenever F > 0. A communicator
// whose members are all batch ranks is a native Open MPI communicator instead.

#include <mpi.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mpi_shim/context_ids.hpp"
#include "mpi_shim/held_errhandler.hpp"
#include "mpi_shim/world.hpp"

namespace ferry::mpi {

struct Topology;  // topology/topology.hpp
class Task;       // collectives/task.hpp

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
  HeldErrhandler errhandler;
  std::string name;
  std::map<int, void*> attributes;
  std::shared_ptr<Topology> topology;
  int references = 0;  ///< requests and operations in flight that use it
  bool freed = false;  ///< MPI_Comm_free was called; it goes when the last reference does
  /// Intercommunicators only: the remote group, the context id its members receive on,
  /// and an intracommunicator over the local group that carries the local part of the
  /// intercommunicator's collectives (its own context id, never the user's).
  std::optional<Group> remote;
  uint32_t remote_context_id = 0;
  std::shared_ptr<Comm> local;
  /// On the root of MPI_Comm_spawn, the intercommunicator to the children: the spawn
  /// service's id of them, whose failures its error handler decides on.
  uint64_t spawn_order = 0;

  int size() const noexcept { return group.size(); }
  /// The process behind rank `comm_rank` of the local group.
  int world_rank(int comm_rank) const noexcept { return group.members[size_t(comm_rank)]; }
  bool inter() const noexcept { return remote.has_value(); }
  /// How many ranks a send or receive may name: the remote group's size on an intercommunicator.
  int peer_count() const noexcept { return inter() ? remote->size() : size(); }
  /// The process a message to rank `rank` goes to (in the remote group on an intercommunicator).
  int peer(int rank) const noexcept { return inter() ? remote->members[size_t(rank)] : group.members[size_t(rank)]; }
  /// The context id of what this process sends: the receivers' own.
  uint32_t send_context() const noexcept { return inter() ? remote_context_id : context_id; }
  /// Sequence number of the next collective on this communicator (tags its traffic).
  uint32_t next_sequence() noexcept { return collective_sequence++; }
};

namespace detail {
extern Comm world_comm __attribute__((visibility("hidden")));
Comm* derived_hybrid(MPI_Comm handle) noexcept;
}  // namespace detail

/// The shim's communicator behind `handle`, or nullptr for a native one.
inline Comm* hybrid(MPI_Comm handle) noexcept {
  if (!world().hybrid() || inside_shim()) return nullptr;
  if (handle == MPI_COMM_WORLD) return world().role != Role::passthrough ? &detail::world_comm : nullptr;
  return detail::derived_hybrid(handle);
}
/// The shim's group behind `handle`, or nullptr for a native one.
Group* hybrid(MPI_Group handle) noexcept;

MPI_Comm handle_of(Comm* comm) noexcept;
MPI_Group handle_of(Group* group) noexcept;
/// Hands out a new shim group.
MPI_Group make_group(std::vector<int> world_members);
/// Converts any group (native ones are groups of batch ranks) to its world-rank members.
std::vector<int> members_of(MPI_Group group);

/// Registers a new shim communicator. forget_comm() is MPI_Comm_free: the handle is gone
/// at once, the communicator (and its context id) once nothing in flight uses it.
Comm* register_comm(std::unique_ptr<Comm> comm);
void forget_comm(Comm* comm) noexcept;
void forget_group(Group* group) noexcept;
void retain(Comm* comm) noexcept;
void release(Comm* comm) noexcept;

/// MPI_Comm_idup of a hybrid communicator: `deliver` receives the new communicator when
/// the request completes (C writes it to the caller's MPI_Comm, Fortran converts it first).
int start_idup(MPI_Comm handle, std::function<void(MPI_Comm)> deliver, MPI_Request* request);

/// The hybrid MPI_COMM_WORLD; created by MPI_Init.
Comm& world_comm() noexcept;
void create_world_comm(int size, int rank);

/// One member's part in creating communicators over a parent: MPI_Comm_split's color
/// (MPI_UNDEFINED: no new communicator) and key, and its context-id offer.
struct Contribution {
  int32_t color = 0;
  int32_t key = 0;
  uint32_t offer_base = 0;
  uint32_t busy = 0;  ///< this member offers nothing this round: it is in an earlier agreement
  uint64_t offer_mask = 0;
};

/// What the members of `parent` agreed: every member's contribution, in rank order, and
/// the context id of the caller's new communicator (unset for MPI_UNDEFINED).
struct Agreement {
  std::vector<Contribution> all;
  std::optional<uint32_t> context_id;
};

/// Collective over `parent`: gathers every member's color and key and agrees on a context
/// id for each color that every member of that color has free. Nonblocking (a Task), so
/// that MPI_Comm_idup can run it in the background. Agreements in flight at once (idups
/// started in different orders) go one at a time, in the order of their parents' context
/// ids and sequence numbers, the same on every rank: a member that is in an earlier one
/// offers nothing, and the round is repeated.
Task agree_task(Comm& parent, int color, int key, Agreement& agreement);
/// Agrees on a context id that is free in every process whose offers `gather` collects:
/// each round it takes this process's offer and returns every offer, the same list on
/// every process (intercommunicators span two groups, so their agreements are built
/// from the groups' own exchanges).
uint32_t agree_context_id(const std::function<std::vector<ContextIds::Offer>(const ContextIds::Offer&)>& gather);
/// The lowest free context id; processes that start alike (a spawned world) all get the same.
uint32_t take_first_free_context_id();
void release_context_id(uint32_t id) noexcept;

/// agree_task run to completion; throws on failure.
Agreement agree(Comm& parent, int color, int key);

/// The communicator over `world_members` (in rank order) with an agreed context id, or
/// MPI_COMM_NULL when the caller is not a member. An all-batch list yields a native
/// communicator (made by those members together). `copy_from` (dup) copies error handler
/// and topology.
MPI_Comm make_comm(const std::vector<int>& world_members, const Agreement& agreement, const Comm* copy_from = nullptr);

/// The members of the caller's color (MPI_Comm_split's rule: ordered by key, then by rank
/// in `parent`), as world ranks; empty for MPI_UNDEFINED.
std::vector<int> members_of_color(const Comm& parent, const Agreement& agreement);

/// Creates a communicator over `world_members`, collectively over the members of
/// `parent`, which all call it (each with the list of the communicator it joins).
MPI_Comm create_comm(Comm& parent, const std::vector<int>& world_members, const Comm* copy_from = nullptr);

/// Exchanges `size` bytes from every rank; `all` receives size * comm.size() bytes in rank order.
/// Gives up with the failure's code when a member has failed (process_failures.hpp).
int allgather_bytes(Comm& comm, const void* mine, size_t size, void* all);

}  // namespace ferry::mpi
