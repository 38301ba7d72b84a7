#pragma once
// One coroutine per collective on a hybrid intercommunicator (MPI 3.1 section 5.2.2): a
// phase on the hidden intracommunicator over the local group (`local` channels, opened on
// *comm.local) composed with transfers to the remote group (`across` channels, opened on
// the intercommunicator). Every member of both groups opens the same channels in the same
// order, whatever its part, so that the sequence numbers stay in step. Arguments are
// already checked; MPI_IN_PLACE is erroneous on intercommunicators and never reaches here.

#include <mpi.h>

#include <vector>

#include "mpi_shim/collectives/algorithms.hpp"

namespace ferry::mpi {

/// A member's part in a rooted collective on an intercommunicator, from its root argument:
/// MPI_ROOT, MPI_PROC_NULL (the root's group, which takes no part), or the root's rank in
/// the remote group.
enum class RootedPart { root, idle, facing_root };
RootedPart rooted_part(int root) noexcept;

/// Nobody leaves before every member of the remote group has entered: a local barrier, the
/// leaders' swap, a local release.
Task inter_barrier_task(Channel local_entry, Channel across, Channel local_release);
/// The root sends to rank 0 of the remote group, which broadcasts locally.
Task inter_bcast_task(Channel across, Channel local, void* buffer, int count, MPI_Datatype type, int root);
/// The group facing the root reduces to its rank 0, which sends the result to the root.
Task inter_reduce_task(Channel across, Channel local, const void* input, void* output, int count, MPI_Datatype type,
                       MPI_Op op, int root);
/// Each group reduces to its rank 0, the leaders swap, each broadcasts the remote result.
Task inter_allreduce_task(Channel local_reduce, Channel across, Channel local_bcast, const void* input, void* output,
                          int count, MPI_Datatype type, MPI_Op op);
/// Every member of the group facing the root sends to the root directly; `counts` and
/// `displs` (one per remote rank) matter at the root only.
Task inter_gatherv_task(Channel across, const void* send, int send_count, MPI_Datatype send_type, void* receive,
                        std::vector<int> counts, std::vector<int> displs, MPI_Datatype receive_type, int root);
/// The root sends to every member of the remote group directly.
Task inter_scatterv_task(Channel across, const void* send, std::vector<int> counts, std::vector<int> displs,
                         MPI_Datatype send_type, void* receive, int receive_count, MPI_Datatype receive_type,
                         int root);
/// Each group gathers to its rank 0, the leaders swap the gathered blocks, each broadcasts
/// what it received. `receive` holds receive_count elements per remote rank.
Task inter_allgather_task(Channel local_gather, Channel across, Channel local_bcast, const void* send, int send_count,
                          MPI_Datatype send_type, void* receive, int receive_count, MPI_Datatype receive_type);
/// Every member sends its block to every remote rank directly: a leader could not gather
/// its group's blocks, whose counts only the remote group knows.
Task inter_allgatherv_task(Channel across, const void* send, int send_count, MPI_Datatype send_type, void* receive,
                           std::vector<int> counts, std::vector<int> displs, MPI_Datatype receive_type);
/// Block r goes to remote rank r and comes from it (one block per remote rank each way).
Task inter_alltoallw_task(Channel across, const void* send, std::vector<Block> send_blocks, void* receive,
                          std::vector<Block> receive_blocks);
/// Each group reduces its vectors of sum(counts) elements to its rank 0, the leaders swap,
/// each scatters the remote result by `counts` (one per local rank).
Task inter_reduce_scatter_task(Channel local_reduce, Channel across, Channel local_scatter, const void* input,
                               void* output, std::vector<int> counts, MPI_Datatype type, MPI_Op op);

}  // namespace ferry::mpi
