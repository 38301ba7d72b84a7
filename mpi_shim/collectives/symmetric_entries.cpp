// MPI entry points of the collectives without a root: Barrier, Allreduce, Allgather(v),
// Alltoall(v/w), Reduce_scatter(_block), Scan, Exscan and their nonblocking forms.

#include <vector>

#include "mpi_shim/collectives/algorithms.hpp"
#include "mpi_shim/collectives/entry.hpp"
#include "mpi_shim/collectives/inter_entries.hpp"
#include "mpi_shim/surface/implementations.hpp"

namespace ferry::mpi {
namespace {

int barrier(Comm& c, const char* name, MPI_Request* request) {
  return collective(c, name, MPI_SUCCESS, request, {}, [&] { return barrier_task(Channel::open(c)); });
}

int allreduce(Comm& c, const char* name, MPI_Request* request, const void* send, void* receive, int count,
              MPI_Datatype type, MPI_Op op) {
  const int check = first_error({check_count(count), check_type(type), check_op(op, type),
                                 check_buffer(send, count, type, true), check_not_in_place_receive(receive),
                                 check_buffer(receive, count, type, false)});
  const void* input = send == MPI_IN_PLACE ? receive : send;
  return collective(c, name, check, request, {&type}, [&] {
    if (allreduce_direct_suits(c, count, type))
      return allreduce_direct_task(Channel::open(c), input, receive, count, type, op);
    if (allreduce_segmented_suits(c, count, type)) {
      const Channel scatter = Channel::open(c);
      const Channel gather = Channel::open(c);
      return allreduce_segmented_task(scatter, gather, input, receive, count, type, op);
    }
    const Channel reduce = Channel::open(c);
    const Channel bcast = Channel::open(c);
    return allreduce_task(reduce, bcast, input, receive, count, type, op);
  });
}

int allgatherv(Comm& c, const char* name, MPI_Request* request, const void* send, int send_count,
               MPI_Datatype send_type, void* receive, const int* counts, const int* displs, MPI_Datatype receive_type) {
  const int check = first_error({check_data(send, send_count, send_type, true), check_counts(c, counts, displs),
                                 check_type(receive_type), check_not_in_place_receive(receive)});
  return collective(c, name, check, request, {send == MPI_IN_PLACE ? nullptr : &send_type, &receive_type}, [&] {
    return allgatherv_task(Channel::open(c), send, send_count, send_type, receive, copy_array(c.size(), counts),
                           copy_array(c.size(), displs), receive_type);
  });
}

int allgather(Comm& c, const char* name, MPI_Request* request, const void* send, int send_count, MPI_Datatype send_type,
              void* receive, int receive_count, MPI_Datatype receive_type) {
  if (receive_count < 0) return raise(&c, MPI_ERR_COUNT, name);
  const std::vector<int> counts = uniform_counts(c.size(), receive_count);
  const std::vector<int> displs = uniform_displs(c.size(), receive_count);
  return allgatherv(c, name, request, send, send_count, send_type, receive, counts.data(), displs.data(), receive_type);
}

int alltoallw(Comm& c, const char* name, MPI_Request* request, const void* send, std::vector<Block> send_blocks,
              void* receive, std::vector<Block> receive_blocks) {
  std::vector<MPI_Datatype*> types;
  for (Block& block : send_blocks) types.push_back(&block.type);
  for (Block& block : receive_blocks) types.push_back(&block.type);
  return collective(c, name, MPI_SUCCESS, request, std::span<MPI_Datatype* const>(types), [&] {
    return alltoallw_task(Channel::open(c), send, std::move(send_blocks), receive, std::move(receive_blocks));
  });
}

int alltoallv(Comm& c, const char* name, MPI_Request* request, const void* send, const int* send_counts,
              const int* send_displs, MPI_Datatype send_type, void* receive, const int* receive_counts,
              const int* receive_displs, MPI_Datatype receive_type) {
  const bool in_place = send == MPI_IN_PLACE;
  int check = first_error({check_counts(c, receive_counts, receive_displs), check_type(receive_type),
                           check_not_in_place_receive(receive)});
  if (!in_place && check == MPI_SUCCESS)
    check = first_error({check_counts(c, send_counts, send_displs), check_type(send_type)});
  if (check != MPI_SUCCESS) return raise(&c, check, name);
  std::vector<Block> outgoing =
      in_place ? std::vector<Block>() : blocks(c.size(), send_counts, send_displs, send_type);
  return alltoallw(c, name, request, send, std::move(outgoing), receive,
                   blocks(c.size(), receive_counts, receive_displs, receive_type));
}

int alltoall(Comm& c, const char* name, MPI_Request* request, const void* send, int send_count, MPI_Datatype send_type,
             void* receive, int receive_count, MPI_Datatype receive_type) {
  if (send != MPI_IN_PLACE && send_count < 0) return raise(&c, MPI_ERR_COUNT, name);
  if (receive_count < 0) return raise(&c, MPI_ERR_COUNT, name);
  const std::vector<int> send_counts = uniform_counts(c.size(), send_count);
  const std::vector<int> send_displs = uniform_displs(c.size(), send_count);
  const std::vector<int> receive_counts = uniform_counts(c.size(), receive_count);
  const std::vector<int> receive_displs = uniform_displs(c.size(), receive_count);
  return alltoallv(c, name, request, send, send_counts.data(), send_displs.data(), send_type, receive,
                   receive_counts.data(), receive_displs.data(), receive_type);
}

int typed_alltoallw(Comm& c, const char* name, MPI_Request* request, const void* send, const int* send_counts,
                    const int* send_displs, const MPI_Datatype* send_types, void* receive, const int* receive_counts,
                    const int* receive_displs, const MPI_Datatype* receive_types) {
  const bool in_place = send == MPI_IN_PLACE;
  int check = first_error({check_counts(c, receive_counts, receive_displs), check_types(c.size(), receive_types),
                           check_not_in_place_receive(receive)});
  if (!in_place && check == MPI_SUCCESS)
    check = first_error({check_counts(c, send_counts, send_displs), check_types(c.size(), send_types)});
  if (check != MPI_SUCCESS) return raise(&c, check, name);
  std::vector<Block> outgoing =
      in_place ? std::vector<Block>() : blocks(c.size(), send_counts, send_displs, send_types);
  return alltoallw(c, name, request, send, std::move(outgoing), receive,
                   blocks(c.size(), receive_counts, receive_displs, receive_types));
}

int reduce_scatter(Comm& c, const char* name, MPI_Request* request, const void* send, void* receive,
                   std::vector<int> counts, MPI_Datatype type, MPI_Op op) {
  const int check = first_error({check_type(type), check_op(op, type), check_not_in_place_receive(receive)});
  const void* input = send == MPI_IN_PLACE ? receive : send;
  return collective(c, name, check, request, {&type}, [&] {
    const Channel reduce = Channel::open(c);
    const Channel scatter = Channel::open(c);
    return reduce_scatter_task(reduce, scatter, input, receive, std::move(counts), type, op);
  });
}

int scan(Comm& c, const char* name, MPI_Request* request, const void* send, void* receive, int count, MPI_Datatype type,
         MPI_Op op, bool exclusive) {
  const int check = first_error({check_count(count), check_type(type), check_op(op, type),
                                 check_buffer(send, count, type, true), check_not_in_place_receive(receive),
                                 check_buffer(receive, count, type, false)});
  const void* input = send == MPI_IN_PLACE ? receive : send;
  return collective(c, name, check, request, {&type},
                    [&] { return scan_task(Channel::open(c), input, receive, count, type, op, exclusive); });
}

}  // namespace
}  // namespace ferry::mpi

using namespace ferry::mpi;

int ferry::mpi::impl::MPI_Barrier(MPI_Comm comm) {
  Comm* c = hybrid(comm);
  if (c->inter()) return inter_barrier(*c, "MPI_Barrier", nullptr);
  return barrier(*c, "MPI_Barrier", nullptr);
}

int ferry::mpi::impl::MPI_Ibarrier(MPI_Comm comm, MPI_Request* request) {
  Comm* c = hybrid(comm);
  if (int code = check_request(*c, "MPI_Ibarrier", request)) return code;
  if (c->inter()) return inter_barrier(*c, "MPI_Ibarrier", request);
  return barrier(*c, "MPI_Ibarrier", request);
}

int ferry::mpi::impl::MPI_Allreduce(const void* send, void* receive, int count, MPI_Datatype type, MPI_Op op, MPI_Comm comm) {
  Comm* c = hybrid(comm);
  if (c->inter()) return inter_allreduce(*c, "MPI_Allreduce", nullptr, send, receive, count, type, op);
  return allreduce(*c, "MPI_Allreduce", nullptr, send, receive, count, type, op);
}

int ferry::mpi::impl::MPI_Iallreduce(const void* send, void* receive, int count, MPI_Datatype type, MPI_Op op, MPI_Comm comm,
                              MPI_Request* request) {
  Comm* c = hybrid(comm);
  if (int code = check_request(*c, "MPI_Iallreduce", request)) return code;
  if (c->inter()) return inter_allreduce(*c, "MPI_Iallreduce", request, send, receive, count, type, op);
  return allreduce(*c, "MPI_Iallreduce", request, send, receive, count, type, op);
}

int ferry::mpi::impl::MPI_Allgather(const void* send, int send_count, MPI_Datatype send_type, void* receive, int receive_count,
                             MPI_Datatype receive_type, MPI_Comm comm) {
  Comm* c = hybrid(comm);
  if (c->inter())
    return inter_allgather(*c, "MPI_Allgather", nullptr, send, send_count, send_type, receive, receive_count,
                           receive_type);
  return allgather(*c, "MPI_Allgather", nullptr, send, send_count, send_type, receive, receive_count, receive_type);
}

int ferry::mpi::impl::MPI_Iallgather(const void* send, int send_count, MPI_Datatype send_type, void* receive,
                              int receive_count, MPI_Datatype receive_type, MPI_Comm comm, MPI_Request* request) {
  Comm* c = hybrid(comm);
  if (int code = check_request(*c, "MPI_Iallgather", request)) return code;
  if (c->inter())
    return inter_allgather(*c, "MPI_Iallgather", request, send, send_count, send_type, receive, receive_count,
                           receive_type);
  return allgather(*c, "MPI_Iallgather", request, send, send_count, send_type, receive, receive_count, receive_type);
}

int ferry::mpi::impl::MPI_Allgatherv(const void* send, int send_count, MPI_Datatype send_type, void* receive,
                              const int counts[], const int displs[], MPI_Datatype receive_type, MPI_Comm comm) {
  Comm* c = hybrid(comm);
  if (c->inter())
    return inter_allgatherv(*c, "MPI_Allgatherv", nullptr, send, send_count, send_type, receive, counts, displs,
                            receive_type);
  return allgatherv(*c, "MPI_Allgatherv", nullptr, send, send_count, send_type, receive, counts, displs, receive_type);
}

int ferry::mpi::impl::MPI_Iallgatherv(const void* send, int send_count, MPI_Datatype send_type, void* receive,
                               const int counts[], const int displs[], MPI_Datatype receive_type, MPI_Comm comm,
                               MPI_Request* request) {
  Comm* c = hybrid(comm);
  if (int code = check_request(*c, "MPI_Iallgatherv", request)) return code;
  if (c->inter())
    return inter_allgatherv(*c, "MPI_Iallgatherv", request, send, send_count, send_type, receive, counts, displs,
                            receive_type);
  return allgatherv(*c, "MPI_Iallgatherv", request, send, send_count, send_type, receive, counts, displs, receive_type);
}

int ferry::mpi::impl::MPI_Alltoall(const void* send, int send_count, MPI_Datatype send_type, void* receive, int receive_count,
                            MPI_Datatype receive_type, MPI_Comm comm) {
  Comm* c = hybrid(comm);
  if (c->inter())
    return inter_alltoall(*c, "MPI_Alltoall", nullptr, send, send_count, send_type, receive, receive_count,
                          receive_type);
  return alltoall(*c, "MPI_Alltoall", nullptr, send, send_count, send_type, receive, receive_count, receive_type);
}

int ferry::mpi::impl::MPI_Ialltoall(const void* send, int send_count, MPI_Datatype send_type, void* receive, int receive_count,
                             MPI_Datatype receive_type, MPI_Comm comm, MPI_Request* request) {
  Comm* c = hybrid(comm);
  if (int code = check_request(*c, "MPI_Ialltoall", request)) return code;
  if (c->inter())
    return inter_alltoall(*c, "MPI_Ialltoall", request, send, send_count, send_type, receive, receive_count,
                          receive_type);
  return alltoall(*c, "MPI_Ialltoall", request, send, send_count, send_type, receive, receive_count, receive_type);
}

int ferry::mpi::impl::MPI_Alltoallv(const void* send, const int send_counts[], const int send_displs[], MPI_Datatype send_type,
                             void* receive, const int receive_counts[], const int receive_displs[],
                             MPI_Datatype receive_type, MPI_Comm comm) {
  Comm* c = hybrid(comm);
  if (c->inter())
    return inter_alltoallv(*c, "MPI_Alltoallv", nullptr, send, send_counts, send_displs, send_type, receive,
                           receive_counts, receive_displs, receive_type);
  return alltoallv(*c, "MPI_Alltoallv", nullptr, send, send_counts, send_displs, send_type, receive, receive_counts,
                   receive_displs, receive_type);
}

int ferry::mpi::impl::MPI_Ialltoallv(const void* send, const int send_counts[], const int send_displs[],
                              MPI_Datatype send_type, void* receive, const int receive_counts[],
                              const int receive_displs[], MPI_Datatype receive_type, MPI_Comm comm,
                              MPI_Request* request) {
  Comm* c = hybrid(comm);
  if (int code = check_request(*c, "MPI_Ialltoallv", request)) return code;
  if (c->inter())
    return inter_alltoallv(*c, "MPI_Ialltoallv", request, send, send_counts, send_displs, send_type, receive,
                           receive_counts, receive_displs, receive_type);
  return alltoallv(*c, "MPI_Ialltoallv", request, send, send_counts, send_displs, send_type, receive, receive_counts,
                   receive_displs, receive_type);
}

int ferry::mpi::impl::MPI_Alltoallw(const void* send, const int send_counts[], const int send_displs[],
                             const MPI_Datatype send_types[], void* receive, const int receive_counts[],
                             const int receive_displs[], const MPI_Datatype receive_types[], MPI_Comm comm) {
  Comm* c = hybrid(comm);
  if (c->inter())
    return inter_alltoallw(*c, "MPI_Alltoallw", nullptr, send, send_counts, send_displs, send_types, receive,
                           receive_counts, receive_displs, receive_types);
  return typed_alltoallw(*c, "MPI_Alltoallw", nullptr, send, send_counts, send_displs, send_types, receive,
                         receive_counts, receive_displs, receive_types);
}

int ferry::mpi::impl::MPI_Ialltoallw(const void* send, const int send_counts[], const int send_displs[],
                              const MPI_Datatype send_types[], void* receive, const int receive_counts[],
                              const int receive_displs[], const MPI_Datatype receive_types[], MPI_Comm comm,
                              MPI_Request* request) {
  Comm* c = hybrid(comm);
  if (int code = check_request(*c, "MPI_Ialltoallw", request)) return code;
  if (c->inter())
    return inter_alltoallw(*c, "MPI_Ialltoallw", request, send, send_counts, send_displs, send_types, receive,
                           receive_counts, receive_displs, receive_types);
  return typed_alltoallw(*c, "MPI_Ialltoallw", request, send, send_counts, send_displs, send_types, receive,
                         receive_counts, receive_displs, receive_types);
}

int ferry::mpi::impl::MPI_Reduce_scatter(const void* send, void* receive, const int counts[], MPI_Datatype type, MPI_Op op,
                                  MPI_Comm comm) {
  Comm* c = hybrid(comm);
  if (c->inter()) return inter_reduce_scatter(*c, "MPI_Reduce_scatter", nullptr, send, receive, counts, type, op);
  if (int code = check_counts(*c, counts)) return raise(c, code, "MPI_Reduce_scatter");
  return reduce_scatter(*c, "MPI_Reduce_scatter", nullptr, send, receive, copy_array(c->size(), counts), type, op);
}

int ferry::mpi::impl::MPI_Reduce_scatter_block(const void* send, void* receive, int count, MPI_Datatype type, MPI_Op op,
                                        MPI_Comm comm) {
  Comm* c = hybrid(comm);
  if (c->inter())
    return inter_reduce_scatter_block(*c, "MPI_Reduce_scatter_block", nullptr, send, receive, count, type, op);
  if (int code = check_count(count)) return raise(c, code, "MPI_Reduce_scatter_block");
  return reduce_scatter(*c, "MPI_Reduce_scatter_block", nullptr, send, receive, uniform_counts(c->size(), count),
                        type, op);
}

int ferry::mpi::impl::MPI_Scan(const void* send, void* receive, int count, MPI_Datatype type, MPI_Op op, MPI_Comm comm) {
  Comm* c = hybrid(comm);
  if (c->inter()) return inter_scan(*c, "MPI_Scan");
  return scan(*c, "MPI_Scan", nullptr, send, receive, count, type, op, false);
}

int ferry::mpi::impl::MPI_Exscan(const void* send, void* receive, int count, MPI_Datatype type, MPI_Op op, MPI_Comm comm) {
  Comm* c = hybrid(comm);
  if (c->inter()) return inter_scan(*c, "MPI_Exscan");
  return scan(*c, "MPI_Exscan", nullptr, send, receive, count, type, op, true);
}

int ferry::mpi::impl::MPI_Ireduce_scatter(const void* send, void* receive, const int counts[], MPI_Datatype type, MPI_Op op,
                                   MPI_Comm comm, MPI_Request* request) {
  Comm* c = hybrid(comm);
  if (int code = check_request(*c, "MPI_Ireduce_scatter", request)) return code;
  if (c->inter()) return inter_reduce_scatter(*c, "MPI_Ireduce_scatter", request, send, receive, counts, type, op);
  if (int code = check_counts(*c, counts)) return raise(c, code, "MPI_Ireduce_scatter");
  return reduce_scatter(*c, "MPI_Ireduce_scatter", request, send, receive, copy_array(c->size(), counts), type, op);
}

int ferry::mpi::impl::MPI_Ireduce_scatter_block(const void* send, void* receive, int count, MPI_Datatype type, MPI_Op op,
                                         MPI_Comm comm, MPI_Request* request) {
  Comm* c = hybrid(comm);
  if (int code = check_request(*c, "MPI_Ireduce_scatter_block", request)) return code;
  if (c->inter())
    return inter_reduce_scatter_block(*c, "MPI_Ireduce_scatter_block", request, send, receive, count, type, op);
  if (int code = check_count(count)) return raise(c, code, "MPI_Ireduce_scatter_block");
  return reduce_scatter(*c, "MPI_Ireduce_scatter_block", request, send, receive, uniform_counts(c->size(), count),
                        type, op);
}

int ferry::mpi::impl::MPI_Iscan(const void* send, void* receive, int count, MPI_Datatype type, MPI_Op op, MPI_Comm comm,
                         MPI_Request* request) {
  Comm* c = hybrid(comm);
  if (int code = check_request(*c, "MPI_Iscan", request)) return code;
  if (c->inter()) return inter_scan(*c, "MPI_Iscan");
  return scan(*c, "MPI_Iscan", request, send, receive, count, type, op, false);
}

int ferry::mpi::impl::MPI_Iexscan(const void* send, void* receive, int count, MPI_Datatype type, MPI_Op op, MPI_Comm comm,
                           MPI_Request* request) {
  Comm* c = hybrid(comm);
  if (int code = check_request(*c, "MPI_Iexscan", request)) return code;
  if (c->inter()) return inter_scan(*c, "MPI_Iexscan");
  return scan(*c, "MPI_Iexscan", request, send, receive, count, type, op, true);
}
