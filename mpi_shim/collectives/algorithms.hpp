#pragma once
// One coroutine per collective on a hybrid communicator, shared by the blocking and the
// nonblocking entry points. Arguments are already checked and MPI_IN_PLACE is resolved
// as each comment says. Counts and displacements are taken by value: a nonblocking
// collective may outlive the caller's arrays' scope.

#include <mpi.h>

#include <vector>

#include "mpi_shim/collectives/channel.hpp"
#include "mpi_shim/collectives/task.hpp"

namespace ferry::mpi {

Task barrier_task(Channel channel);
/// Binomial tree from `root`.
Task bcast_task(Channel channel, void* buffer, int count, MPI_Datatype type, int root);
/// Combines `input` of every rank in rank order (binomial tree to rank 0, then on to
/// `root`) into `output` at root. `input` is never MPI_IN_PLACE.
Task reduce_task(Channel channel, const void* input, void* output, int count, MPI_Datatype type, MPI_Op op, int root);
/// Reduce to rank 0, then bcast: every rank gets the same bits.
Task allreduce_task(Channel reduce, Channel bcast, const void* input, void* output, int count, MPI_Datatype type,
                    MPI_Op op);
/// Small data: every rank sends its operand to every other and combines all of them in
/// rank order itself. One round instead of 2 log P, and still the same bits everywhere.
Task allreduce_direct_task(Channel channel, const void* input, void* output, int count, MPI_Datatype type, MPI_Op op);
/// Whether allreduce_direct_task suits (count, type) on `comm` (the same answer on every rank).
bool allreduce_direct_suits(const Comm& comm, int count, MPI_Datatype type);
/// Large data: rank i combines segment i of every operand in rank order (a direct
/// reduce-scatter), then every rank gathers every segment. Each rank moves and combines
/// 1/P of the data instead of rank 0 all of it, and every rank still gets the same bits.
Task allreduce_segmented_task(Channel scatter, Channel gather, const void* input, void* output, int count,
                              MPI_Datatype type, MPI_Op op);
/// Whether allreduce_segmented_task suits (count, type) on `comm`.
bool allreduce_segmented_suits(const Comm& comm, int count, MPI_Datatype type);

/// `counts`/`displs` matter at root only; `send` MPI_IN_PLACE at root leaves its block alone.
Task gatherv_task(Channel channel, const void* send, int send_count, MPI_Datatype send_type, void* receive,
                  std::vector<int> counts, std::vector<int> displs, MPI_Datatype receive_type, int root);
/// `receive` MPI_IN_PLACE at root leaves its block alone.
Task scatterv_task(Channel channel, const void* send, std::vector<int> counts, std::vector<int> displs,
                   MPI_Datatype send_type, void* receive, int receive_count, MPI_Datatype receive_type, int root);
/// `send` MPI_IN_PLACE: the own block is already in `receive` at displs[rank].
Task allgatherv_task(Channel channel, const void* send, int send_count, MPI_Datatype send_type, void* receive,
                     std::vector<int> counts, std::vector<int> displs, MPI_Datatype receive_type);

/// One peer's part of an all-to-all: count elements of type at a byte displacement.
struct Block {
  int count = 0;
  MPI_Aint displacement = 0;
  MPI_Datatype type = MPI_DATATYPE_NULL;
};
/// `send` MPI_IN_PLACE: blocks go out of `receive` (laid out by `receive_blocks`).
Task alltoallw_task(Channel channel, const void* send, std::vector<Block> send_blocks, void* receive,
                    std::vector<Block> receive_blocks);

/// Reduce of sum(counts) elements to rank 0, then scatter of counts[i] to rank i.
/// `input` is never MPI_IN_PLACE.
Task reduce_scatter_task(Channel reduce, Channel scatter, const void* input, void* output, std::vector<int> counts,
                         MPI_Datatype type, MPI_Op op);
/// Inclusive (scan) or exclusive (exscan) prefix in rank order. `input` may equal `output`.
Task scan_task(Channel channel, const void* input, void* output, int count, MPI_Datatype type, MPI_Op op,
               bool exclusive);

}  // namespace ferry::mpi
