#include "mpi_shim/collectives/inter.hpp"

#include <numeric>
#include <utility>

namespace ferry::mpi {

RootedPart rooted_part(int root) noexcept {
  if (root == MPI_ROOT) return RootedPart::root;
  if (root == MPI_PROC_NULL) return RootedPart::idle;
  return RootedPart::facing_root;
}

namespace {

bool is_leader(const Channel& local) noexcept { return local.comm->rank == 0; }

/// The leaders' exchange: (out...) goes to rank 0 of the remote group, (in...) comes from it.
Task swap_with_remote_leader(Channel across, const void* out_data, int out_count, MPI_Datatype out_type, void* in_data,
                             int in_count, MPI_Datatype in_type) {
  const SendBuffer out(out_data, out_count, out_type);
  ReceiveBuffer in(in_data, in_count, in_type);
  Transfer transfers[2] = {across.receive(0, in), across.send(0, out)};
  if (int code = co_await all_of(transfers); code != MPI_SUCCESS) co_return code;
  in.finish(in.capacity());
  co_return MPI_SUCCESS;
}

std::vector<int> multiples(int ranks, int step) {
  std::vector<int> values(size_t(ranks), 0);
  for (int rank = 0; rank < ranks; ++rank) values[size_t(rank)] = rank * step;
  return values;
}

}  // namespace

Task inter_barrier_task(Channel local_entry, Channel across, Channel local_release) {
  Task entry = barrier_task(local_entry);
  if (int code = co_await entry; code != MPI_SUCCESS) co_return code;
  std::byte token{};
  if (is_leader(local_entry)) {
    Task swap = swap_with_remote_leader(across, &token, 0, MPI_BYTE, &token, 0, MPI_BYTE);
    if (int code = co_await swap; code != MPI_SUCCESS) co_return code;
  }
  Task release = bcast_task(local_release, &token, 0, MPI_BYTE, 0);
  co_return co_await release;
}

Task inter_bcast_task(Channel across, Channel local, void* buffer, int count, MPI_Datatype type, int root) {
  const RootedPart part = rooted_part(root);
  if (part == RootedPart::idle) co_return MPI_SUCCESS;
  if (part == RootedPart::root) {
    const SendBuffer out(buffer, count, type);
    Transfer transfer = across.send(0, out);
    co_return co_await all_of(transfer);
  }
  if (is_leader(local)) {
    ReceiveBuffer in(buffer, count, type);
    Transfer transfer = across.receive(root, in);
    if (int code = co_await all_of(transfer); code != MPI_SUCCESS) co_return code;
    in.finish(in.capacity());
  }
  Task spread = bcast_task(local, buffer, count, type, 0);
  co_return co_await spread;
}

Task inter_reduce_task(Channel across, Channel local, const void* input, void* output, int count, MPI_Datatype type,
                       MPI_Op op, int root) {
  const RootedPart part = rooted_part(root);
  if (part == RootedPart::idle) co_return MPI_SUCCESS;
  if (part == RootedPart::root) {
    ReceiveBuffer in(output, count, type);
    Transfer transfer = across.receive(0, in);
    if (int code = co_await all_of(transfer); code != MPI_SUCCESS) co_return code;
    in.finish(in.capacity());
    co_return MPI_SUCCESS;
  }
  const bool leader = is_leader(local);
  TypedBuffer combined(leader ? count : 0, type);
  Task combine = reduce_task(local, input, combined.base(), count, type, op, 0);
  if (int code = co_await combine; code != MPI_SUCCESS) co_return code;
  if (!leader) co_return MPI_SUCCESS;
  const SendBuffer out(combined.base(), count, type);
  Transfer transfer = across.send(root, out);
  co_return co_await all_of(transfer);
}

Task inter_allreduce_task(Channel local_reduce, Channel across, Channel local_bcast, const void* input, void* output,
                          int count, MPI_Datatype type, MPI_Op op) {
  const bool leader = is_leader(local_reduce);
  TypedBuffer combined(leader ? count : 0, type);
  Task combine = reduce_task(local_reduce, input, combined.base(), count, type, op, 0);
  if (int code = co_await combine; code != MPI_SUCCESS) co_return code;
  if (leader) {
    Task swap = swap_with_remote_leader(across, combined.base(), count, type, output, count, type);
    if (int code = co_await swap; code != MPI_SUCCESS) co_return code;
  }
  Task spread = bcast_task(local_bcast, output, count, type, 0);
  co_return co_await spread;
}

Task inter_gatherv_task(Channel across, const void* send, int send_count, MPI_Datatype send_type, void* receive,
                        std::vector<int> counts, std::vector<int> displs, MPI_Datatype receive_type, int root) {
  const RootedPart part = rooted_part(root);
  if (part == RootedPart::idle) co_return MPI_SUCCESS;
  if (part == RootedPart::facing_root) {
    const SendBuffer out(send, send_count, send_type);
    Transfer transfer = across.send(root, out);
    co_return co_await all_of(transfer);
  }
  const int senders = across.comm->peer_count();
  std::vector<ReceiveBuffer> buffers;
  std::vector<Transfer> transfers;
  buffers.reserve(size_t(senders));
  transfers.reserve(size_t(senders));
  for (int source = 0; source < senders; ++source) {
    buffers.emplace_back(advance(receive, displs[size_t(source)], receive_type), counts[size_t(source)], receive_type);
    transfers.push_back(across.receive(source, buffers.back()));
  }
  if (int code = co_await all_of(transfers); code != MPI_SUCCESS) co_return code;
  finish_receives(buffers);
  co_return MPI_SUCCESS;
}

Task inter_scatterv_task(Channel across, const void* send, std::vector<int> counts, std::vector<int> displs,
                         MPI_Datatype send_type, void* receive, int receive_count, MPI_Datatype receive_type,
                         int root) {
  const RootedPart part = rooted_part(root);
  if (part == RootedPart::idle) co_return MPI_SUCCESS;
  if (part == RootedPart::facing_root) {
    ReceiveBuffer in(receive, receive_count, receive_type);
    Transfer transfer = across.receive(root, in);
    if (int code = co_await all_of(transfer); code != MPI_SUCCESS) co_return code;
    in.finish(in.capacity());
    co_return MPI_SUCCESS;
  }
  const int receivers = across.comm->peer_count();
  std::vector<SendBuffer> buffers;
  std::vector<Transfer> transfers;
  buffers.reserve(size_t(receivers));
  transfers.reserve(size_t(receivers));
  for (int dest = 0; dest < receivers; ++dest) {
    buffers.emplace_back(advance(send, displs[size_t(dest)], send_type), counts[size_t(dest)], send_type);
    transfers.push_back(across.send(dest, buffers.back()));
  }
  co_return co_await all_of(transfers);
}

Task inter_allgather_task(Channel local_gather, Channel across, Channel local_bcast, const void* send, int send_count,
                          MPI_Datatype send_type, void* receive, int receive_count, MPI_Datatype receive_type) {
  const bool leader = is_leader(local_gather);
  const int members = local_gather.comm->size();
  TypedBuffer gathered(leader ? send_count * members : 0, send_type);
  Task gather = gatherv_task(local_gather, send, send_count, send_type, gathered.base(),
                             std::vector<int>(size_t(members), send_count), multiples(members, send_count), send_type,
                             0);
  if (int code = co_await gather; code != MPI_SUCCESS) co_return code;
  const int incoming = receive_count * across.comm->peer_count();
  if (leader) {
    Task swap = swap_with_remote_leader(across, gathered.base(), send_count * members, send_type, receive, incoming,
                                        receive_type);
    if (int code = co_await swap; code != MPI_SUCCESS) co_return code;
  }
  Task spread = bcast_task(local_bcast, receive, incoming, receive_type, 0);
  co_return co_await spread;
}

Task inter_allgatherv_task(Channel across, const void* send, int send_count, MPI_Datatype send_type, void* receive,
                           std::vector<int> counts, std::vector<int> displs, MPI_Datatype receive_type) {
  const int peers = across.comm->peer_count();
  const SendBuffer out(send, send_count, send_type);
  std::vector<ReceiveBuffer> buffers;
  std::vector<Transfer> receives;
  std::vector<Transfer> sends;
  buffers.reserve(size_t(peers));
  for (int peer = 0; peer < peers; ++peer) {
    buffers.emplace_back(advance(receive, displs[size_t(peer)], receive_type), counts[size_t(peer)], receive_type);
    receives.push_back(across.receive(peer, buffers.back()));
  }
  for (int peer = 0; peer < peers; ++peer) sends.push_back(across.send(peer, out));
  int code = co_await all_of(receives);
  if (int sent = co_await all_of(sends); code == MPI_SUCCESS) code = sent;
  if (code == MPI_SUCCESS) finish_receives(buffers);
  co_return code;
}

Task inter_alltoallw_task(Channel across, const void* send, std::vector<Block> send_blocks, void* receive,
                          std::vector<Block> receive_blocks) {
  const int peers = across.comm->peer_count();
  std::vector<SendBuffer> out;
  std::vector<ReceiveBuffer> buffers;
  std::vector<Transfer> receives;
  std::vector<Transfer> sends;
  out.reserve(size_t(peers));
  buffers.reserve(size_t(peers));
  for (int peer = 0; peer < peers; ++peer) {
    const Block& block = receive_blocks[size_t(peer)];
    buffers.emplace_back(advance_bytes(receive, block.displacement), block.count, block.type);
    receives.push_back(across.receive(peer, buffers.back()));
  }
  for (int peer = 0; peer < peers; ++peer) {
    const Block& block = send_blocks[size_t(peer)];
    out.emplace_back(advance_bytes(send, block.displacement), block.count, block.type);
    sends.push_back(across.send(peer, out.back()));
  }
  int code = co_await all_of(receives);
  if (int sent = co_await all_of(sends); code == MPI_SUCCESS) code = sent;
  if (code == MPI_SUCCESS) finish_receives(buffers);
  co_return code;
}

Task inter_reduce_scatter_task(Channel local_reduce, Channel across, Channel local_scatter, const void* input,
                               void* output, std::vector<int> counts, MPI_Datatype type, MPI_Op op) {
  const int total = std::accumulate(counts.begin(), counts.end(), 0);
  std::vector<int> displs(counts.size(), 0);
  std::exclusive_scan(counts.begin(), counts.end(), displs.begin(), 0);
  const bool leader = is_leader(local_reduce);
  TypedBuffer mine(leader ? total : 0, type);
  TypedBuffer theirs(leader ? total : 0, type);
  Task combine = reduce_task(local_reduce, input, mine.base(), total, type, op, 0);
  if (int code = co_await combine; code != MPI_SUCCESS) co_return code;
  if (leader) {
    Task swap = swap_with_remote_leader(across, mine.base(), total, type, theirs.base(), total, type);
    if (int code = co_await swap; code != MPI_SUCCESS) co_return code;
  }
  const int own = counts[size_t(local_reduce.comm->rank)];
  Task spread = scatterv_task(local_scatter, theirs.base(), std::move(counts), std::move(displs), type, output, own,
                              type, 0);
  co_return co_await spread;
}

}  // namespace ferry::mpi
