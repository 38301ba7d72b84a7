#include <utility>

#include "mpi_shim/collectives/algorithms.hpp"

namespace ferry::mpi {

Task bcast_task(Channel channel, void* buffer, int count, MPI_Datatype type, int root) {
  const int size = channel.comm->size();
  const int me = (channel.comm->rank - root + size) % size;
  auto absolute = [&](int relative) { return (relative + root) % size; };
  int mask = 1;
  for (; mask < size; mask <<= 1) {
    if ((me & mask) == 0) continue;
    ReceiveBuffer in(buffer, count, type);
    Transfer transfer = channel.receive(absolute(me - mask), in);
    if (int code = co_await all_of(transfer); code != MPI_SUCCESS) co_return code;
    in.finish(in.capacity());
    break;
  }
  const SendBuffer out(buffer, count, type);
  std::vector<Transfer> sends;
  for (mask >>= 1; mask > 0; mask >>= 1) {
    if (me + mask < size) sends.push_back(channel.send(absolute(me + mask), out));
  }
  co_return co_await all_of(sends);
}

Task reduce_task(Channel channel, const void* input, void* output, int count, MPI_Datatype type, MPI_Op op, int root) {
  if (count == 0) co_return MPI_SUCCESS;
  const int size = channel.comm->size();
  const int rank = channel.comm->rank;
  TypedBuffer partial(count, type);
  TypedBuffer incoming(count, type);
  if (int code = local_copy(input, count, type, partial.base(), count, type); code != MPI_SUCCESS) co_return code;
  // After round k, `partial` holds ranks [rank, rank + 2^k) combined in that order.
  for (int mask = 1; mask < size; mask <<= 1) {
    if (rank & mask) {
      const SendBuffer out(partial.base(), count, type);
      Transfer transfer = channel.send(rank - mask, out);
      if (int code = co_await all_of(transfer); code != MPI_SUCCESS) co_return code;
      break;
    }
    if (rank + mask >= size) continue;
    ReceiveBuffer in(incoming.base(), count, type);
    Transfer transfer = channel.receive(rank + mask, in);
    if (int code = co_await all_of(transfer); code != MPI_SUCCESS) co_return code;
    in.finish(in.capacity());
    if (int code = PMPI_Reduce_local(partial.base(), incoming.base(), count, type, op); code != MPI_SUCCESS)
      co_return code;
    std::swap(partial, incoming);
  }
  if (rank == 0 && root == 0) co_return local_copy(partial.base(), count, type, output, count, type);
  if (rank == 0) {
    const SendBuffer out(partial.base(), count, type);
    Transfer transfer = channel.send(root, out);
    co_return co_await all_of(transfer);
  }
  if (rank == root) {
    ReceiveBuffer in(output, count, type);
    Transfer transfer = channel.receive(0, in);
    if (int code = co_await all_of(transfer); code != MPI_SUCCESS) co_return code;
    in.finish(in.capacity());
  }
  co_return MPI_SUCCESS;
}

Task allreduce_task(Channel reduce, Channel bcast, const void* input, void* output, int count, MPI_Datatype type,
                    MPI_Op op) {
  Task combine = reduce_task(reduce, input, output, count, type, op, 0);
  if (int code = co_await combine; code != MPI_SUCCESS) co_return code;
  Task spread = bcast_task(bcast, output, count, type, 0);
  co_return co_await spread;
}

Task gatherv_task(Channel channel, const void* send, int send_count, MPI_Datatype send_type, void* receive,
                  std::vector<int> counts, std::vector<int> displs, MPI_Datatype receive_type, int root) {
  const int rank = channel.comm->rank;
  if (rank != root) {
    const SendBuffer out(send, send_count, send_type);
    Transfer transfer = channel.send(root, out);
    co_return co_await all_of(transfer);
  }
  const int size = channel.comm->size();
  std::vector<ReceiveBuffer> buffers;
  std::vector<Transfer> transfers;
  buffers.reserve(size_t(size));
  transfers.reserve(size_t(size));
  for (int source = 0; source < size; ++source) {
    if (source == rank) continue;
    buffers.emplace_back(advance(receive, displs[size_t(source)], receive_type), counts[size_t(source)], receive_type);
    transfers.push_back(channel.receive(source, buffers.back()));
  }
  if (send != MPI_IN_PLACE) {
    void* mine = advance(receive, displs[size_t(rank)], receive_type);
    if (int code = local_copy(send, send_count, send_type, mine, counts[size_t(rank)], receive_type);
        code != MPI_SUCCESS)
      co_return code;
  }
  if (int code = co_await all_of(transfers); code != MPI_SUCCESS) co_return code;
  finish_receives(buffers);
  co_return MPI_SUCCESS;
}

Task scatterv_task(Channel channel, const void* send, std::vector<int> counts, std::vector<int> displs,
                   MPI_Datatype send_type, void* receive, int receive_count, MPI_Datatype receive_type, int root) {
  const int rank = channel.comm->rank;
  if (rank != root) {
    ReceiveBuffer in(receive, receive_count, receive_type);
    Transfer transfer = channel.receive(root, in);
    if (int code = co_await all_of(transfer); code != MPI_SUCCESS) co_return code;
    in.finish(in.capacity());
    co_return MPI_SUCCESS;
  }
  const int size = channel.comm->size();
  std::vector<SendBuffer> buffers;
  std::vector<Transfer> transfers;
  buffers.reserve(size_t(size));
  transfers.reserve(size_t(size));
  for (int dest = 0; dest < size; ++dest) {
    if (dest == rank) continue;
    buffers.emplace_back(advance(send, displs[size_t(dest)], send_type), counts[size_t(dest)], send_type);
    transfers.push_back(channel.send(dest, buffers.back()));
  }
  if (receive != MPI_IN_PLACE) {
    const void* mine = advance(send, displs[size_t(rank)], send_type);
    if (int code = local_copy(mine, counts[size_t(rank)], send_type, receive, receive_count, receive_type);
        code != MPI_SUCCESS)
      co_return code;
  }
  co_return co_await all_of(transfers);
}

}  // namespace ferry::mpi
