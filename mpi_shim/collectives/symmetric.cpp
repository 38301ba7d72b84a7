#include <boost/container/small_vector.hpp>

#include <numeric>

#include "mpi_shim/collectives/algorithms.hpp"

namespace ferry::mpi {

Task barrier_task(Channel channel) {
  const int size = channel.comm->size();
  const int rank = channel.comm->rank;
  std::byte token{};
  // Dissemination: after round k every rank has heard, indirectly, from 2^(k+1) ranks.
  for (int distance = 1; distance < size; distance <<= 1) {
    Transfer transfers[2] = {channel.receive((rank - distance + size) % size, &token, 0),
                             channel.send((rank + distance) % size, &token, 0)};
    if (int code = co_await all_of(transfers); code != MPI_SUCCESS) co_return code;
  }
  co_return MPI_SUCCESS;
}

namespace {

/// Peers whose transfers a collective keeps in its frame rather than on the heap.
constexpr size_t few_peers = 8;

}  // namespace

bool allreduce_direct_suits(const Comm& comm, int count, MPI_Datatype type) {
  constexpr int most_ranks = int(few_peers);
  constexpr size_t most_bytes = 4096;
  return comm.size() <= most_ranks && layout_of(count, type).bytes <= most_bytes;
}

namespace {
// Combines `ranks` operands of `count` elements each, stored one after another at
// `operands`, in rank order (x0 op (x1 op (... op xN))), into the last of them: the same
// bits wherever it runs, and the order MPI requires of non-commutative operations.
int combine_in_rank_order(void* operands, int ranks, int count, MPI_Datatype type, MPI_Op op) {
  void* result = advance(operands, MPI_Aint(ranks - 1) * count, type);
  for (int i = ranks - 2; i >= 0; --i) {
    const void* operand = advance(operands, MPI_Aint(i) * count, type);
    if (int failed = PMPI_Reduce_local(operand, result, count, type, op); failed != MPI_SUCCESS) return failed;
  }
  return MPI_SUCCESS;
}
}  // namespace

Task allgatherv_task(Channel channel, const void* send, int send_count, MPI_Datatype send_type, void* receive,
                     std::vector<int> counts, std::vector<int> displs, MPI_Datatype receive_type) {
  const int size = channel.comm->size();
  const int rank = channel.comm->rank;
  void* mine = advance(receive, displs[size_t(rank)], receive_type);
  if (send != MPI_IN_PLACE) {
    if (int code = local_copy(send, send_count, send_type, mine, counts[size_t(rank)], receive_type);
        code != MPI_SUCCESS)
      co_return code;
  }
  const SendBuffer out(mine, counts[size_t(rank)], receive_type);
  // Held in the frame up to a few peers: a small allgather (and allreduce) allocates nothing.
  boost::container::small_vector<ReceiveBuffer, few_peers> buffers;
  boost::container::small_vector<Transfer, few_peers> receives;
  boost::container::small_vector<Transfer, few_peers> sends;
  buffers.reserve(size_t(size));
  receives.reserve(size_t(size));
  sends.reserve(size_t(size));
  for (int peer = 0; peer < size; ++peer) {
    if (peer == rank) continue;
    buffers.emplace_back(advance(receive, displs[size_t(peer)], receive_type), counts[size_t(peer)], receive_type);
    receives.push_back(channel.receive(peer, buffers.back()));
  }
  for (int peer = 0; peer < size; ++peer) {
    if (peer != rank) sends.push_back(channel.send(peer, out));
  }
  int code = co_await all_of({receives.data(), receives.size()});
  if (int sent = co_await all_of({sends.data(), sends.size()}); code == MPI_SUCCESS) code = sent;
  if (code == MPI_SUCCESS) finish_receives({buffers.data(), buffers.size()});
  co_return code;
}

Task allreduce_direct_task(Channel channel, const void* input, void* output, int count, MPI_Datatype type, MPI_Op op) {
  if (count == 0) co_return MPI_SUCCESS;
  const int size = channel.comm->size();
  // Every rank gathers every operand, then combines them in rank order itself.
  TypedBuffer operands(count * size, type);
  std::vector<int> counts(size_t(size), count);
  std::vector<int> displs(static_cast<size_t>(size));
  for (int peer = 0; peer < size; ++peer) displs[size_t(peer)] = peer * count;
  Task gather = allgatherv_task(channel, input, count, type, operands.base(), std::move(counts), std::move(displs), type);
  if (int code = co_await gather; code != MPI_SUCCESS) co_return code;
  if (int failed = combine_in_rank_order(operands.base(), size, count, type, op); failed != MPI_SUCCESS)
    co_return failed;
  co_return local_copy(advance(operands.base(), MPI_Aint(size - 1) * count, type), count, type, output, count, type);
}

bool allreduce_segmented_suits(const Comm& comm, int count, MPI_Datatype type) {
  constexpr size_t least_bytes = 64 * 1024;
  return count >= comm.size() && layout_of(count, type).bytes >= least_bytes;
}

Task allreduce_segmented_task(Channel scatter, Channel gather, const void* input, void* output, int count,
                              MPI_Datatype type, MPI_Op op) {
  const int size = scatter.comm->size();
  const int rank = scatter.comm->rank;
  std::vector<int> counts(static_cast<size_t>(size));
  std::vector<int> displs(static_cast<size_t>(size));
  for (int r = 0; r < size; ++r) {
    displs[size_t(r)] = static_cast<int>(int64_t{count} * r / size);
    counts[size_t(r)] = static_cast<int>(int64_t{count} * (r + 1) / size) - displs[size_t(r)];
  }
  const int mine = counts[size_t(rank)];
  // Slot r of `operands` receives rank r's part of this rank's segment. `input` may be
  // `output`: nothing is written to `output` before the exchange has sent everything.
  TypedBuffer operands(mine * size, type);
  const MPI_Aint extent = extent_of(type);
  std::vector<Block> send_blocks;
  std::vector<Block> receive_blocks;
  for (int r = 0; r < size; ++r) {
    send_blocks.push_back({counts[size_t(r)], MPI_Aint(displs[size_t(r)]) * extent, type});
    receive_blocks.push_back({mine, MPI_Aint(r) * mine * extent, type});
  }
  Task exchange = alltoallw_task(scatter, input, std::move(send_blocks), operands.base(), std::move(receive_blocks));
  if (int code = co_await exchange; code != MPI_SUCCESS) co_return code;
  if (int failed = combine_in_rank_order(operands.base(), size, mine, type, op); failed != MPI_SUCCESS)
    co_return failed;
  const void* result = advance(operands.base(), MPI_Aint(size - 1) * mine, type);
  if (int copied = local_copy(result, mine, type, advance(output, displs[size_t(rank)], type), mine, type);
      copied != MPI_SUCCESS)
    co_return copied;
  Task spread = allgatherv_task(gather, MPI_IN_PLACE, mine, type, output, counts, displs, type);
  co_return co_await spread;
}

Task alltoallw_task(Channel channel, const void* send, std::vector<Block> send_blocks, void* receive,
                    std::vector<Block> receive_blocks) {
  const int size = channel.comm->size();
  const int rank = channel.comm->rank;
  const bool in_place = send == MPI_IN_PLACE;
  const void* source = in_place ? receive : send;
  const std::vector<Block>& outgoing = in_place ? receive_blocks : send_blocks;
  std::vector<SendBuffer> out;
  out.reserve(size_t(size));
  for (int peer = 0; peer < size; ++peer) {
    const Block& block = outgoing[size_t(peer)];
    out.emplace_back(advance_bytes(source, block.displacement), block.count, block.type);
    if (in_place) out.back().own();
  }
  std::vector<ReceiveBuffer> buffers;
  std::vector<Transfer> receives;
  std::vector<Transfer> sends;
  buffers.reserve(size_t(size));
  for (int peer = 0; peer < size; ++peer) {
    if (peer == rank) continue;
    const Block& block = receive_blocks[size_t(peer)];
    buffers.emplace_back(advance_bytes(receive, block.displacement), block.count, block.type);
    receives.push_back(channel.receive(peer, buffers.back()));
  }
  for (int peer = 0; peer < size; ++peer) {
    if (peer != rank) sends.push_back(channel.send(peer, out[size_t(peer)]));
  }
  int code = MPI_SUCCESS;
  if (!in_place) {
    const Block& from = send_blocks[size_t(rank)];
    const Block& to = receive_blocks[size_t(rank)];
    code = local_copy(advance_bytes(send, from.displacement), from.count, from.type,
                      advance_bytes(receive, to.displacement), to.count, to.type);
  }
  if (int received = co_await all_of(receives); code == MPI_SUCCESS) code = received;
  if (int sent = co_await all_of(sends); code == MPI_SUCCESS) code = sent;
  if (code == MPI_SUCCESS) finish_receives(buffers);
  co_return code;
}

Task reduce_scatter_task(Channel reduce, Channel scatter, const void* input, void* output, std::vector<int> counts,
                         MPI_Datatype type, MPI_Op op) {
  const int total = std::accumulate(counts.begin(), counts.end(), 0);
  std::vector<int> displs(counts.size(), 0);
  std::exclusive_scan(counts.begin(), counts.end(), displs.begin(), 0);
  const int rank = reduce.comm->rank;
  TypedBuffer combined(rank == 0 ? total : 0, type);
  Task combine = reduce_task(reduce, input, combined.base(), total, type, op, 0);
  if (int code = co_await combine; code != MPI_SUCCESS) co_return code;
  const int mine = counts[size_t(rank)];
  Task spread =
      scatterv_task(scatter, combined.base(), std::move(counts), std::move(displs), type, output, mine, type, 0);
  co_return co_await spread;
}

Task scan_task(Channel channel, const void* input, void* output, int count, MPI_Datatype type, MPI_Op op,
               bool exclusive) {
  if (count == 0) co_return MPI_SUCCESS;
  const int size = channel.comm->size();
  const int rank = channel.comm->rank;
  TypedBuffer prefix(count, type);
  TypedBuffer running(count, type);
  if (int code = local_copy(input, count, type, running.base(), count, type); code != MPI_SUCCESS) co_return code;
  if (rank > 0) {
    ReceiveBuffer in(prefix.base(), count, type);
    Transfer transfer = channel.receive(rank - 1, in);
    if (int code = co_await all_of(transfer); code != MPI_SUCCESS) co_return code;
    in.finish(in.capacity());
    if (int code = PMPI_Reduce_local(prefix.base(), running.base(), count, type, op); code != MPI_SUCCESS)
      co_return code;
  }
  const void* result = exclusive ? prefix.base() : running.base();
  if (rank > 0 || !exclusive) {
    if (int code = local_copy(result, count, type, output, count, type); code != MPI_SUCCESS) co_return code;
  }
  if (rank + 1 == size) co_return MPI_SUCCESS;
  const SendBuffer out(running.base(), count, type);
  Transfer transfer = channel.send(rank + 1, out);
  co_return co_await all_of(transfer);
}

}  // namespace ferry::mpi
