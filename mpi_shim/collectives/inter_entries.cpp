#include "mpi_shim/collectives/inter_entries.hpp"

#include <vector>

#include "mpi_shim/collectives/entry.hpp"
#include "mpi_shim/collectives/inter.hpp"

namespace ferry::mpi {
namespace {

int check_inter_root(const Comm& c, int root) noexcept {
  const bool remote_rank = root >= 0 && root < c.peer_count();
  return remote_rank || root == MPI_ROOT || root == MPI_PROC_NULL ? MPI_SUCCESS : MPI_ERR_ROOT;
}

/// MPI_IN_PLACE is erroneous on intercommunicators.
int check_not_in_place(const void* buffer) noexcept { return buffer == MPI_IN_PLACE ? MPI_ERR_ARG : MPI_SUCCESS; }

/// A type the caller's part of a rooted collective uses (held by a nonblocking one), or
/// null where it is not significant and may be anything.
MPI_Datatype* used_by(RootedPart part, RootedPart user, MPI_Datatype& type) noexcept {
  return part == user ? &type : nullptr;
}

int gatherv_across(Comm& c, const char* name, MPI_Request* request, const void* send, int send_count,
                   MPI_Datatype send_type, void* receive, const int* counts, const int* displs,
                   MPI_Datatype receive_type, int root) {
  const RootedPart part = rooted_part(root);
  int check = first_error({check_not_in_place(send), check_inter_root(c, root)});
  if (check == MPI_SUCCESS && part == RootedPart::facing_root) check = check_data(send, send_count, send_type, false);
  if (check == MPI_SUCCESS && part == RootedPart::root)
    check = first_error({check_counts(c.peer_count(), counts, displs), check_type(receive_type)});
  const int senders = part == RootedPart::root && check == MPI_SUCCESS ? c.peer_count() : 0;
  return collective(c, name, check, request,
                    {used_by(part, RootedPart::facing_root, send_type), used_by(part, RootedPart::root, receive_type)},
                    [&] {
                      return inter_gatherv_task(Channel::open(c), send, send_count, send_type, receive,
                                                copy_array(senders, counts), copy_array(senders, displs), receive_type,
                                                root);
                    });
}

int scatterv_across(Comm& c, const char* name, MPI_Request* request, const void* send, const int* counts,
                    const int* displs, MPI_Datatype send_type, void* receive, int receive_count,
                    MPI_Datatype receive_type, int root) {
  const RootedPart part = rooted_part(root);
  int check = first_error({check_not_in_place(receive), check_inter_root(c, root)});
  if (check == MPI_SUCCESS && part == RootedPart::facing_root)
    check = check_data(receive, receive_count, receive_type, false);
  if (check == MPI_SUCCESS && part == RootedPart::root)
    check = first_error({check_counts(c.peer_count(), counts, displs), check_type(send_type)});
  const int receivers = part == RootedPart::root && check == MPI_SUCCESS ? c.peer_count() : 0;
  return collective(c, name, check, request,
                    {used_by(part, RootedPart::root, send_type), used_by(part, RootedPart::facing_root, receive_type)},
                    [&] {
                      return inter_scatterv_task(Channel::open(c), send, copy_array(receivers, counts),
                                                 copy_array(receivers, displs), send_type, receive, receive_count,
                                                 receive_type, root);
                    });
}

int alltoallw_across(Comm& c, const char* name, MPI_Request* request, const void* send, std::vector<Block> send_blocks,
                     void* receive, std::vector<Block> receive_blocks) {
  std::vector<MPI_Datatype*> types;
  for (Block& block : send_blocks) types.push_back(&block.type);
  for (Block& block : receive_blocks) types.push_back(&block.type);
  return collective(c, name, MPI_SUCCESS, request, std::span<MPI_Datatype* const>(types), [&] {
    return inter_alltoallw_task(Channel::open(c), send, std::move(send_blocks), receive, std::move(receive_blocks));
  });
}

int reduce_scatter_across(Comm& c, const char* name, MPI_Request* request, const void* send, void* receive,
                          std::vector<int> counts, MPI_Datatype type, MPI_Op op) {
  const int check = first_error({check_not_in_place(send), check_type(type), check_op(op, type)});
  return collective(c, name, check, request, {&type}, [&] {
    const Channel reduce = Channel::open(*c.local);
    const Channel across = Channel::open(c);
    const Channel scatter = Channel::open(*c.local);
    return inter_reduce_scatter_task(reduce, across, scatter, send, receive, std::move(counts), type, op);
  });
}

}  // namespace

int inter_barrier(Comm& c, const char* name, MPI_Request* request) {
  return collective(c, name, MPI_SUCCESS, request, {}, [&] {
    const Channel entry = Channel::open(*c.local);
    const Channel across = Channel::open(c);
    const Channel release = Channel::open(*c.local);
    return inter_barrier_task(entry, across, release);
  });
}

int inter_bcast(Comm& c, const char* name, MPI_Request* request, void* buffer, int count, MPI_Datatype type,
                int root) {
  const int check = first_error({check_data(buffer, count, type, false), check_inter_root(c, root)});
  const bool takes_part = rooted_part(root) != RootedPart::idle;
  return collective(c, name, check, request, {takes_part ? &type : nullptr}, [&] {
    const Channel across = Channel::open(c);
    const Channel local = Channel::open(*c.local);
    return inter_bcast_task(across, local, buffer, count, type, root);
  });
}

int inter_reduce(Comm& c, const char* name, MPI_Request* request, const void* send, void* receive, int count,
                 MPI_Datatype type, MPI_Op op, int root) {
  const int check = first_error(
      {check_op(op, type), check_not_in_place(send), check_count(count), check_type(type), check_inter_root(c, root)});
  const bool takes_part = rooted_part(root) != RootedPart::idle;
  return collective(c, name, check, request, {takes_part ? &type : nullptr}, [&] {
    const Channel across = Channel::open(c);
    const Channel local = Channel::open(*c.local);
    return inter_reduce_task(across, local, send, receive, count, type, op, root);
  });
}

int inter_gather(Comm& c, const char* name, MPI_Request* request, const void* send, int send_count,
                 MPI_Datatype send_type, void* receive, int receive_count, MPI_Datatype receive_type, int root) {
  const int senders = rooted_part(root) == RootedPart::root ? c.peer_count() : 0;
  const std::vector<int> counts = uniform_counts(senders, receive_count);
  const std::vector<int> displs = uniform_displs(senders, receive_count);
  return gatherv_across(c, name, request, send, send_count, send_type, receive, counts.data(), displs.data(),
                        receive_type, root);
}

int inter_gatherv(Comm& c, const char* name, MPI_Request* request, const void* send, int send_count,
                  MPI_Datatype send_type, void* receive, const int* counts, const int* displs,
                  MPI_Datatype receive_type, int root) {
  return gatherv_across(c, name, request, send, send_count, send_type, receive, counts, displs, receive_type, root);
}

int inter_scatter(Comm& c, const char* name, MPI_Request* request, const void* send, int send_count,
                  MPI_Datatype send_type, void* receive, int receive_count, MPI_Datatype receive_type, int root) {
  const int receivers = rooted_part(root) == RootedPart::root ? c.peer_count() : 0;
  const std::vector<int> counts = uniform_counts(receivers, send_count);
  const std::vector<int> displs = uniform_displs(receivers, send_count);
  return scatterv_across(c, name, request, send, counts.data(), displs.data(), send_type, receive, receive_count,
                         receive_type, root);
}

int inter_scatterv(Comm& c, const char* name, MPI_Request* request, const void* send, const int* counts,
                   const int* displs, MPI_Datatype send_type, void* receive, int receive_count,
                   MPI_Datatype receive_type, int root) {
  return scatterv_across(c, name, request, send, counts, displs, send_type, receive, receive_count, receive_type,
                         root);
}

int inter_allreduce(Comm& c, const char* name, MPI_Request* request, const void* send, void* receive, int count,
                    MPI_Datatype type, MPI_Op op) {
  if (int code = check_op(op, type)) return raise(&c, code, name);
  // Open MPI reports this one on no communicator: MPI_COMM_WORLD's handler answers.
  if (send == MPI_IN_PLACE) return raise(nullptr, MPI_ERR_BUFFER, name);
  const int check = first_error({check_count(count), check_type(type)});
  return collective(c, name, check, request, {&type}, [&] {
    const Channel reduce = Channel::open(*c.local);
    const Channel across = Channel::open(c);
    const Channel bcast = Channel::open(*c.local);
    return inter_allreduce_task(reduce, across, bcast, send, receive, count, type, op);
  });
}

int inter_allgather(Comm& c, const char* name, MPI_Request* request, const void* send, int send_count,
                    MPI_Datatype send_type, void* receive, int receive_count, MPI_Datatype receive_type) {
  const int check = first_error({check_not_in_place(send), check_data(send, send_count, send_type, false),
                                 check_count(receive_count), check_type(receive_type)});
  return collective(c, name, check, request, {&send_type, &receive_type}, [&] {
    const Channel gather = Channel::open(*c.local);
    const Channel across = Channel::open(c);
    const Channel bcast = Channel::open(*c.local);
    return inter_allgather_task(gather, across, bcast, send, send_count, send_type, receive, receive_count,
                                receive_type);
  });
}

int inter_allgatherv(Comm& c, const char* name, MPI_Request* request, const void* send, int send_count,
                     MPI_Datatype send_type, void* receive, const int* counts, const int* displs,
                     MPI_Datatype receive_type) {
  const int check = first_error({check_not_in_place(send), check_data(send, send_count, send_type, false),
                                 check_counts(c.peer_count(), counts, displs), check_type(receive_type)});
  const int senders = check == MPI_SUCCESS ? c.peer_count() : 0;
  return collective(c, name, check, request, {&send_type, &receive_type}, [&] {
    return inter_allgatherv_task(Channel::open(c), send, send_count, send_type, receive, copy_array(senders, counts),
                                 copy_array(senders, displs), receive_type);
  });
}

int inter_alltoall(Comm& c, const char* name, MPI_Request* request, const void* send, int send_count,
                   MPI_Datatype send_type, void* receive, int receive_count, MPI_Datatype receive_type) {
  // Open MPI reports this one on no communicator: MPI_COMM_WORLD's handler answers.
  if (send == MPI_IN_PLACE) return raise(nullptr, MPI_ERR_ARG, name);
  const int peers = c.peer_count();
  const std::vector<int> send_counts = uniform_counts(peers, send_count);
  const std::vector<int> send_displs = uniform_displs(peers, send_count);
  const std::vector<int> receive_counts = uniform_counts(peers, receive_count);
  const std::vector<int> receive_displs = uniform_displs(peers, receive_count);
  return inter_alltoallv(c, name, request, send, send_counts.data(), send_displs.data(), send_type, receive,
                         receive_counts.data(), receive_displs.data(), receive_type);
}

int inter_alltoallv(Comm& c, const char* name, MPI_Request* request, const void* send, const int* send_counts,
                    const int* send_displs, MPI_Datatype send_type, void* receive, const int* receive_counts,
                    const int* receive_displs, MPI_Datatype receive_type) {
  const int peers = c.peer_count();
  const int check = first_error({check_not_in_place(send), check_counts(peers, send_counts, send_displs),
                                 check_type(send_type), check_counts(peers, receive_counts, receive_displs),
                                 check_type(receive_type)});
  if (check != MPI_SUCCESS) return raise(&c, check, name);
  return alltoallw_across(c, name, request, send, blocks(peers, send_counts, send_displs, send_type), receive,
                          blocks(peers, receive_counts, receive_displs, receive_type));
}

int inter_alltoallw(Comm& c, const char* name, MPI_Request* request, const void* send, const int* send_counts,
                    const int* send_displs, const MPI_Datatype* send_types, void* receive, const int* receive_counts,
                    const int* receive_displs, const MPI_Datatype* receive_types) {
  const int peers = c.peer_count();
  const int check = first_error({check_not_in_place(send), check_counts(peers, send_counts, send_displs),
                                 check_types(peers, send_types), check_counts(peers, receive_counts, receive_displs),
                                 check_types(peers, receive_types)});
  if (check != MPI_SUCCESS) return raise(&c, check, name);
  return alltoallw_across(c, name, request, send, blocks(peers, send_counts, send_displs, send_types), receive,
                          blocks(peers, receive_counts, receive_displs, receive_types));
}

int inter_reduce_scatter(Comm& c, const char* name, MPI_Request* request, const void* send, void* receive,
                         const int* counts, MPI_Datatype type, MPI_Op op) {
  if (int code = check_counts(c.size(), counts)) return raise(&c, code, name);
  return reduce_scatter_across(c, name, request, send, receive, copy_array(c.size(), counts), type, op);
}

int inter_reduce_scatter_block(Comm& c, const char* name, MPI_Request* request, const void* send, void* receive,
                               int count, MPI_Datatype type, MPI_Op op) {
  if (int code = check_count(count)) return raise(&c, code, name);
  return reduce_scatter_across(c, name, request, send, receive, uniform_counts(c.size(), count), type, op);
}

int inter_scan(Comm& c, const char* name) { return raise(&c, MPI_ERR_COMM, name); }

}  // namespace ferry::mpi
