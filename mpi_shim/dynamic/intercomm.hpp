#pragma once
// Intercommunicators on hybrid objects. Each group receives on a context id its own
// members agreed on and sends on the other group's, so neither group needs to know
// which ids the other has taken; the local part of the intercommunicator's collectives
// runs on a hidden intracommunicator over the local group.

#include <mpi.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "mpi_shim/communicator.hpp"
#include "mpi_shim/dynamic/group_description.hpp"
#include "mpi_shim/dynamic/local_group.hpp"

namespace ferry::mpi {

/// Swaps this group's encoded description for the remote group's (called on the leader only).
using LeaderSwap = std::function<Bytes(const Bytes&)>;

/// Collective over `local`'s members: they agree on the context ids they receive on, the
/// leader swaps descriptions with the remote leader, and every member learns the remote
/// group. When the swap throws on the leader, every member throws the same error. `native`, when given, makes the communicator instead if both groups are batch
/// ranks of the same world (an Open MPI intercommunicator, as for intracommunicators); it
/// receives the remote leader's world rank.
MPI_Comm build_intercomm(LocalGroup& local, int leader, const LeaderSwap& swap,
                         const std::function<MPI_Comm(int remote_leader)>& native = {});

/// An intercommunicator over known processes with known context ids (a spawned world's
/// parent, made without communication on the children's side).
MPI_Comm register_intercomm(std::vector<int> local_members, int rank, uint32_t context_id,
                            uint32_t local_context_id, std::vector<int> remote_members, uint32_t remote_context_id,
                            HeldErrhandler errhandler);

/// The leaders' exchange of an operation on an existing intercommunicator: every member
/// of both groups calls it (so that their collective sequences stay in step), rank 0 of
/// each group sends `data` to the other's, and every member returns what the remote
/// leader sent.
Bytes exchange_across(Comm& inter, const Bytes& data);

/// The context id agreement of a communicator that spans both groups of `inter`.
uint32_t agree_across(Comm& inter);

/// A free context id agreed by the members of `local` alone.
uint32_t agree_within(LocalGroup& local);

}  // namespace ferry::mpi

namespace ferry::mpi {

/// MPI_Comm_dup of an intercommunicator: the same groups, new context ids.
MPI_Comm dup_intercomm(Comm& inter);
/// MPI_Comm_split of an intercommunicator: each member gets an intercommunicator between
/// the members of its color in both groups (ordered by key, then rank), or MPI_COMM_NULL
/// when either side of its color is empty. MPI_Comm_create is a split by membership.
MPI_Comm split_intercomm(Comm& inter, int color, int key);

}  // namespace ferry::mpi
