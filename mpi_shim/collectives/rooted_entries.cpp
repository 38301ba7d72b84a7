// MPI entry points of the rooted collectives: Bcast, Reduce, Gather(v), Scatter(v) and
// their nonblocking forms.

#include <vector>

#include "mpi_shim/collectives/algorithms.hpp"
#include "mpi_shim/collectives/entry.hpp"
#include "mpi_shim/collectives/inter_entries.hpp"
#include "mpi_shim/surface/implementations.hpp"

namespace ferry::mpi {
namespace {

int bcast(Comm& c, const char* name, MPI_Request* request, void* buffer, int count, MPI_Datatype type, int root) {
  const int check = first_error({check_buffer(buffer, count, type, false), check_root(c, root)});
  return collective(c, name, check, request, {&type}, [&] { return bcast_task(Channel::open(c), buffer, count, type, root); });
}

int reduce(Comm& c, const char* name, MPI_Request* request, const void* send, void* receive, int count,
           MPI_Datatype type, MPI_Op op, int root) {
  const bool at_root = c.rank == root;
  const int check = first_error({check_root(c, root), check_buffer(send, count, type, at_root), check_count(count),
                                 check_type(type), check_op(op, type),
                                 at_root ? check_not_in_place_receive(receive) : MPI_SUCCESS,
                                 at_root ? check_buffer(receive, count, type, false) : MPI_SUCCESS});
  const void* input = send == MPI_IN_PLACE ? receive : send;
  return collective(c, name, check, request, {&type},
                    [&] { return reduce_task(Channel::open(c), input, receive, count, type, op, root); });
}

int gatherv(Comm& c, const char* name, MPI_Request* request, const void* send, int send_count, MPI_Datatype send_type,
            void* receive, std::vector<int> counts, std::vector<int> displs, MPI_Datatype receive_type, int root) {
  const bool at_root = root >= 0 && root < c.size() && c.rank == root;
  int check = first_error({check_root(c, root), check_data(send, send_count, send_type, at_root)});
  if (at_root && check == MPI_SUCCESS) {
    check = first_error({check_type(receive_type), check_not_in_place_receive(receive)});
  }
  return collective(c, name, check, request,
                    {send == MPI_IN_PLACE ? nullptr : &send_type, at_root ? &receive_type : nullptr}, [&] {
    return gatherv_task(Channel::open(c), send, send_count, send_type, receive, std::move(counts), std::move(displs),
                        receive_type, root);
  });
}

int scatterv(Comm& c, const char* name, MPI_Request* request, const void* send, std::vector<int> counts,
             std::vector<int> displs, MPI_Datatype send_type, void* receive, int receive_count,
             MPI_Datatype receive_type, int root) {
  const bool at_root = root >= 0 && root < c.size() && c.rank == root;
  int check = first_error({check_root(c, root), check_data(receive, receive_count, receive_type, at_root)});
  if (at_root && check == MPI_SUCCESS) check = check_type(send_type);
  return collective(c, name, check, request,
                    {at_root ? &send_type : nullptr, receive == MPI_IN_PLACE ? nullptr : &receive_type}, [&] {
    return scatterv_task(Channel::open(c), send, std::move(counts), std::move(displs), send_type, receive,
                         receive_count, receive_type, root);
  });
}

int gather(Comm& c, const char* name, MPI_Request* request, const void* send, int send_count, MPI_Datatype send_type,
           void* receive, int receive_count, MPI_Datatype receive_type, int root) {
  if (c.rank == root && receive_count < 0) return raise(&c, MPI_ERR_COUNT, name);
  const int size = c.rank == root ? c.size() : 0;
  return gatherv(c, name, request, send, send_count, send_type, receive, uniform_counts(size, receive_count),
                 uniform_displs(size, receive_count), receive_type, root);
}

int scatter(Comm& c, const char* name, MPI_Request* request, const void* send, int send_count, MPI_Datatype send_type,
            void* receive, int receive_count, MPI_Datatype receive_type, int root) {
  if (c.rank == root && send_count < 0) return raise(&c, MPI_ERR_COUNT, name);
  const int size = c.rank == root ? c.size() : 0;
  return scatterv(c, name, request, send, uniform_counts(size, send_count), uniform_displs(size, send_count), send_type,
                  receive, receive_count, receive_type, root);
}

/// The root's per-rank arrays (empty elsewhere: they are not significant there).
std::vector<int> root_array(const Comm& c, int root, const int* values) {
  if (c.rank != root || values == nullptr) return {};
  return std::vector<int>(values, values + c.size());
}

int root_counts_error(const Comm& c, int root, const int* counts, const int* displs) {
  return c.rank == root ? check_counts(c, counts, displs) : MPI_SUCCESS;
}

}  // namespace
}  // namespace ferry::mpi

using namespace ferry::mpi;

int ferry::mpi::impl::MPI_Bcast(void* buffer, int count, MPI_Datatype type, int root, MPI_Comm comm) {
  Comm* c = hybrid(comm);
  if (c->inter()) return inter_bcast(*c, "MPI_Bcast", nullptr, buffer, count, type, root);
  return bcast(*c, "MPI_Bcast", nullptr, buffer, count, type, root);
}

int ferry::mpi::impl::MPI_Ibcast(void* buffer, int count, MPI_Datatype type, int root, MPI_Comm comm, MPI_Request* request) {
  Comm* c = hybrid(comm);
  if (int code = check_request(*c, "MPI_Ibcast", request)) return code;
  if (c->inter()) return inter_bcast(*c, "MPI_Ibcast", request, buffer, count, type, root);
  return bcast(*c, "MPI_Ibcast", request, buffer, count, type, root);
}

int ferry::mpi::impl::MPI_Reduce(const void* send, void* receive, int count, MPI_Datatype type, MPI_Op op, int root,
                          MPI_Comm comm) {
  Comm* c = hybrid(comm);
  if (c->inter()) return inter_reduce(*c, "MPI_Reduce", nullptr, send, receive, count, type, op, root);
  return reduce(*c, "MPI_Reduce", nullptr, send, receive, count, type, op, root);
}

int ferry::mpi::impl::MPI_Ireduce(const void* send, void* receive, int count, MPI_Datatype type, MPI_Op op, int root,
                           MPI_Comm comm, MPI_Request* request) {
  Comm* c = hybrid(comm);
  if (int code = check_request(*c, "MPI_Ireduce", request)) return code;
  if (c->inter()) return inter_reduce(*c, "MPI_Ireduce", request, send, receive, count, type, op, root);
  return reduce(*c, "MPI_Ireduce", request, send, receive, count, type, op, root);
}

int ferry::mpi::impl::MPI_Gather(const void* send, int send_count, MPI_Datatype send_type, void* receive, int receive_count,
                          MPI_Datatype receive_type, int root, MPI_Comm comm) {
  Comm* c = hybrid(comm);
  if (c->inter())
    return inter_gather(*c, "MPI_Gather", nullptr, send, send_count, send_type, receive, receive_count, receive_type,
                        root);
  return gather(*c, "MPI_Gather", nullptr, send, send_count, send_type, receive, receive_count, receive_type, root);
}

int ferry::mpi::impl::MPI_Igather(const void* send, int send_count, MPI_Datatype send_type, void* receive, int receive_count,
                           MPI_Datatype receive_type, int root, MPI_Comm comm, MPI_Request* request) {
  Comm* c = hybrid(comm);
  if (int code = check_request(*c, "MPI_Igather", request)) return code;
  if (c->inter())
    return inter_gather(*c, "MPI_Igather", request, send, send_count, send_type, receive, receive_count, receive_type,
                        root);
  return gather(*c, "MPI_Igather", request, send, send_count, send_type, receive, receive_count, receive_type, root);
}

int ferry::mpi::impl::MPI_Gatherv(const void* send, int send_count, MPI_Datatype send_type, void* receive, const int counts[],
                           const int displs[], MPI_Datatype receive_type, int root, MPI_Comm comm) {
  Comm* c = hybrid(comm);
  if (c->inter())
    return inter_gatherv(*c, "MPI_Gatherv", nullptr, send, send_count, send_type, receive, counts, displs, receive_type,
                         root);
  if (int code = root_counts_error(*c, root, counts, displs)) return raise(c, code, "MPI_Gatherv");
  return gatherv(*c, "MPI_Gatherv", nullptr, send, send_count, send_type, receive, root_array(*c, root, counts),
                 root_array(*c, root, displs), receive_type, root);
}

int ferry::mpi::impl::MPI_Igatherv(const void* send, int send_count, MPI_Datatype send_type, void* receive, const int counts[],
                            const int displs[], MPI_Datatype receive_type, int root, MPI_Comm comm,
                            MPI_Request* request) {
  Comm* c = hybrid(comm);
  if (int code = check_request(*c, "MPI_Igatherv", request)) return code;
  if (c->inter())
    return inter_gatherv(*c, "MPI_Igatherv", request, send, send_count, send_type, receive, counts, displs,
                         receive_type, root);
  if (int code = root_counts_error(*c, root, counts, displs)) return raise(c, code, "MPI_Igatherv");
  return gatherv(*c, "MPI_Igatherv", request, send, send_count, send_type, receive, root_array(*c, root, counts),
                 root_array(*c, root, displs), receive_type, root);
}

int ferry::mpi::impl::MPI_Scatter(const void* send, int send_count, MPI_Datatype send_type, void* receive, int receive_count,
                           MPI_Datatype receive_type, int root, MPI_Comm comm) {
  Comm* c = hybrid(comm);
  if (c->inter())
    return inter_scatter(*c, "MPI_Scatter", nullptr, send, send_count, send_type, receive, receive_count, receive_type,
                         root);
  return scatter(*c, "MPI_Scatter", nullptr, send, send_count, send_type, receive, receive_count, receive_type, root);
}

int ferry::mpi::impl::MPI_Iscatter(const void* send, int send_count, MPI_Datatype send_type, void* receive, int receive_count,
                            MPI_Datatype receive_type, int root, MPI_Comm comm, MPI_Request* request) {
  Comm* c = hybrid(comm);
  if (int code = check_request(*c, "MPI_Iscatter", request)) return code;
  if (c->inter())
    return inter_scatter(*c, "MPI_Iscatter", request, send, send_count, send_type, receive, receive_count, receive_type,
                         root);
  return scatter(*c, "MPI_Iscatter", request, send, send_count, send_type, receive, receive_count, receive_type, root);
}

int ferry::mpi::impl::MPI_Scatterv(const void* send, const int counts[], const int displs[], MPI_Datatype send_type,
                            void* receive, int receive_count, MPI_Datatype receive_type, int root, MPI_Comm comm) {
  Comm* c = hybrid(comm);
  if (c->inter())
    return inter_scatterv(*c, "MPI_Scatterv", nullptr, send, counts, displs, send_type, receive, receive_count,
                          receive_type, root);
  if (int code = root_counts_error(*c, root, counts, displs)) return raise(c, code, "MPI_Scatterv");
  return scatterv(*c, "MPI_Scatterv", nullptr, send, root_array(*c, root, counts), root_array(*c, root, displs),
                  send_type, receive, receive_count, receive_type, root);
}

int ferry::mpi::impl::MPI_Iscatterv(const void* send, const int counts[], const int displs[], MPI_Datatype send_type,
                             void* receive, int receive_count, MPI_Datatype receive_type, int root, MPI_Comm comm,
                             MPI_Request* request) {
  Comm* c = hybrid(comm);
  if (int code = check_request(*c, "MPI_Iscatterv", request)) return code;
  if (c->inter())
    return inter_scatterv(*c, "MPI_Iscatterv", request, send, counts, displs, send_type, receive, receive_count,
                          receive_type, root);
  if (int code = root_counts_error(*c, root, counts, displs)) return raise(c, code, "MPI_Iscatterv");
  return scatterv(*c, "MPI_Iscatterv", request, send, root_array(*c, root, counts), root_array(*c, root, displs),
                  send_type, receive, receive_count, receive_type, root);
}
