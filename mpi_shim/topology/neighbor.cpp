// Neighbour collectives (blocking and nonblocking) on hybrid communicators with a
// topology: one message per edge, all in flight at once.

#include <vector>

#include "mpi_shim/collectives/channel.hpp"
#include "mpi_shim/collectives/entry.hpp"
#include "mpi_shim/collectives/task.hpp"
#include "mpi_shim/surface/implementations.hpp"
#include "mpi_shim/topology/topology.hpp"

namespace ferry::mpi {
namespace {

/// One block exchanged with one neighbour.
struct Part {
  int peer = MPI_PROC_NULL;
  void* buffer = nullptr;
  int count = 0;
  MPI_Datatype type = MPI_DATATYPE_NULL;
};

Task exchange_task(Channel channel, std::vector<Part> outgoing, std::vector<Part> incoming, std::vector<size_t> order) {
  std::vector<ReceiveBuffer> in;
  std::vector<Transfer> receives;
  in.reserve(incoming.size());
  for (size_t index : order) {
    const Part& part = incoming[index];
    if (part.peer == MPI_PROC_NULL) continue;
    in.emplace_back(part.buffer, part.count, part.type);
    receives.push_back(channel.receive(part.peer, in.back()));
  }
  std::vector<SendBuffer> out;
  std::vector<Transfer> sends;
  out.reserve(outgoing.size());
  for (const Part& part : outgoing) {
    if (part.peer == MPI_PROC_NULL) continue;
    out.emplace_back(part.buffer, part.count, part.type);
    sends.push_back(channel.send(part.peer, out.back()));
  }
  int code = co_await all_of(receives);
  if (int sent = co_await all_of(sends); code == MPI_SUCCESS) code = sent;
  if (code == MPI_SUCCESS) finish_receives(in);
  co_return code;
}

/// Builds the parts of one side: block i goes to or comes from peers[i].
template <class Describe>
std::vector<Part> parts(const std::vector<int>& peers, Describe&& describe) {
  std::vector<Part> result(peers.size());
  for (size_t i = 0; i < peers.size(); ++i) {
    result[i] = describe(i);
    result[i].peer = peers[i];
  }
  return result;
}

Part block(const void* buffer, MPI_Aint byte_offset, int count, MPI_Datatype type) {
  return Part{MPI_PROC_NULL, advance_bytes(buffer, byte_offset), count, type};
}

int check_blocks(const int* counts, const void* displs, size_t n) {
  if (n > 0 && (counts == nullptr || displs == nullptr)) return MPI_ERR_ARG;
  for (size_t i = 0; i < n; ++i) {
    if (counts[i] < 0) return MPI_ERR_COUNT;
  }
  return MPI_SUCCESS;
}

int check_types(const MPI_Datatype* types, size_t n) {
  if (n > 0 && types == nullptr) return MPI_ERR_ARG;
  for (size_t i = 0; i < n; ++i) {
    if (types[i] == MPI_DATATYPE_NULL) return MPI_ERR_TYPE;
  }
  return MPI_SUCCESS;
}

/// Runs the exchange once the entry point has described both sides.
template <class Describe>
int neighbor(Comm& c, const char* name, MPI_Request* request, Describe&& describe) {
  if (c.topology == nullptr) return raise(&c, MPI_ERR_TOPOLOGY, name);
  const Neighborhood hood = neighborhood(*c.topology, c.rank);
  std::vector<Part> outgoing, incoming;
  const int check = describe(hood, outgoing, incoming);
  std::vector<MPI_Datatype*> types;
  for (Part& part : outgoing) types.push_back(&part.type);
  for (Part& part : incoming) types.push_back(&part.type);
  return collective(c, name, check, request, std::span<MPI_Datatype* const>(types), [&] {
    return exchange_task(Channel::open(c), std::move(outgoing), std::move(incoming),
                         receive_order(*c.topology, hood.sources.size()));
  });
}

int neighbor_allgather(Comm& c, const char* name, MPI_Request* request, const void* sendbuf, int sendcount,
                       MPI_Datatype sendtype, void* recvbuf, int recvcount, MPI_Datatype recvtype) {
  return neighbor(c, name, request, [&](const Neighborhood& hood, auto& out, auto& in) {
    const int check =
        first_error({check_data(sendbuf, sendcount, sendtype, false), check_count(recvcount), check_type(recvtype)});
    if (check != MPI_SUCCESS) return check;
    const MPI_Aint step = recvcount * extent_of(recvtype);
    out = parts(hood.destinations, [&](size_t) { return block(sendbuf, 0, sendcount, sendtype); });
    in = parts(hood.sources, [&](size_t i) { return block(recvbuf, MPI_Aint(i) * step, recvcount, recvtype); });
    return check;
  });
}

int neighbor_allgatherv(Comm& c, const char* name, MPI_Request* request, const void* sendbuf, int sendcount,
                        MPI_Datatype sendtype, void* recvbuf, const int recvcounts[], const int displs[],
                        MPI_Datatype recvtype) {
  return neighbor(c, name, request, [&](const Neighborhood& hood, auto& out, auto& in) {
    const int check = first_error({check_data(sendbuf, sendcount, sendtype, false), check_type(recvtype),
                                   check_blocks(recvcounts, displs, hood.sources.size())});
    if (check != MPI_SUCCESS) return check;
    const MPI_Aint extent = extent_of(recvtype);
    out = parts(hood.destinations, [&](size_t) { return block(sendbuf, 0, sendcount, sendtype); });
    in = parts(hood.sources, [&](size_t i) { return block(recvbuf, displs[i] * extent, recvcounts[i], recvtype); });
    return check;
  });
}

int neighbor_alltoall(Comm& c, const char* name, MPI_Request* request, const void* sendbuf, int sendcount,
                      MPI_Datatype sendtype, void* recvbuf, int recvcount, MPI_Datatype recvtype) {
  return neighbor(c, name, request, [&](const Neighborhood& hood, auto& out, auto& in) {
    const int check =
        first_error({check_data(sendbuf, sendcount, sendtype, false), check_count(recvcount), check_type(recvtype)});
    if (check != MPI_SUCCESS) return check;
    const MPI_Aint send_step = sendcount * extent_of(sendtype);
    const MPI_Aint receive_step = recvcount * extent_of(recvtype);
    out = parts(hood.destinations,
                [&](size_t i) { return block(sendbuf, MPI_Aint(i) * send_step, sendcount, sendtype); });
    in = parts(hood.sources, [&](size_t i) { return block(recvbuf, MPI_Aint(i) * receive_step, recvcount, recvtype); });
    return check;
  });
}

int neighbor_alltoallv(Comm& c, const char* name, MPI_Request* request, const void* sendbuf, const int sendcounts[],
                       const int sdispls[], MPI_Datatype sendtype, void* recvbuf, const int recvcounts[],
                       const int rdispls[], MPI_Datatype recvtype) {
  return neighbor(c, name, request, [&](const Neighborhood& hood, auto& out, auto& in) {
    const int check = first_error({check_type(sendtype), check_type(recvtype),
                                   check_blocks(sendcounts, sdispls, hood.destinations.size()),
                                   check_blocks(recvcounts, rdispls, hood.sources.size())});
    if (check != MPI_SUCCESS) return check;
    const MPI_Aint send_extent = extent_of(sendtype);
    const MPI_Aint receive_extent = extent_of(recvtype);
    out = parts(hood.destinations,
                [&](size_t i) { return block(sendbuf, sdispls[i] * send_extent, sendcounts[i], sendtype); });
    in = parts(hood.sources,
               [&](size_t i) { return block(recvbuf, rdispls[i] * receive_extent, recvcounts[i], recvtype); });
    return check;
  });
}

int neighbor_alltoallw(Comm& c, const char* name, MPI_Request* request, const void* sendbuf, const int sendcounts[],
                       const MPI_Aint sdispls[], const MPI_Datatype sendtypes[], void* recvbuf, const int recvcounts[],
                       const MPI_Aint rdispls[], const MPI_Datatype recvtypes[]) {
  return neighbor(c, name, request, [&](const Neighborhood& hood, auto& out, auto& in) {
    const int check =
        first_error({check_blocks(sendcounts, sdispls, hood.destinations.size()),
                     check_blocks(recvcounts, rdispls, hood.sources.size()),
                     check_types(sendtypes, hood.destinations.size()), check_types(recvtypes, hood.sources.size())});
    if (check != MPI_SUCCESS) return check;
    out = parts(hood.destinations, [&](size_t i) { return block(sendbuf, sdispls[i], sendcounts[i], sendtypes[i]); });
    in = parts(hood.sources, [&](size_t i) { return block(recvbuf, rdispls[i], recvcounts[i], recvtypes[i]); });
    return check;
  });
}

}  // namespace
}  // namespace ferry::mpi

using namespace ferry::mpi;

int ferry::mpi::impl::MPI_Neighbor_allgather(const void* sendbuf, int sendcount, MPI_Datatype sendtype, void* recvbuf,
                                      int recvcount, MPI_Datatype recvtype, MPI_Comm comm) {
  Comm* c = hybrid(comm);
  return neighbor_allgather(*c, "MPI_Neighbor_allgather", nullptr, sendbuf, sendcount, sendtype, recvbuf, recvcount,
                            recvtype);
}

int ferry::mpi::impl::MPI_Ineighbor_allgather(const void* sendbuf, int sendcount, MPI_Datatype sendtype, void* recvbuf,
                                       int recvcount, MPI_Datatype recvtype, MPI_Comm comm, MPI_Request* request) {
  Comm* c = hybrid(comm);
  if (int code = check_request(*c, "MPI_Ineighbor_allgather", request)) return code;
  return neighbor_allgather(*c, "MPI_Ineighbor_allgather", request, sendbuf, sendcount, sendtype, recvbuf, recvcount,
                            recvtype);
}

int ferry::mpi::impl::MPI_Neighbor_allgatherv(const void* sendbuf, int sendcount, MPI_Datatype sendtype, void* recvbuf,
                                       const int recvcounts[], const int displs[], MPI_Datatype recvtype,
                                       MPI_Comm comm) {
  Comm* c = hybrid(comm);
  return neighbor_allgatherv(*c, "MPI_Neighbor_allgatherv", nullptr, sendbuf, sendcount, sendtype, recvbuf, recvcounts,
                             displs, recvtype);
}

int ferry::mpi::impl::MPI_Ineighbor_allgatherv(const void* sendbuf, int sendcount, MPI_Datatype sendtype, void* recvbuf,
                                        const int recvcounts[], const int displs[], MPI_Datatype recvtype,
                                        MPI_Comm comm, MPI_Request* request) {
  Comm* c = hybrid(comm);
  if (int code = check_request(*c, "MPI_Ineighbor_allgatherv", request)) return code;
  return neighbor_allgatherv(*c, "MPI_Ineighbor_allgatherv", request, sendbuf, sendcount, sendtype, recvbuf, recvcounts,
                             displs, recvtype);
}

int ferry::mpi::impl::MPI_Neighbor_alltoall(const void* sendbuf, int sendcount, MPI_Datatype sendtype, void* recvbuf,
                                     int recvcount, MPI_Datatype recvtype, MPI_Comm comm) {
  Comm* c = hybrid(comm);
  return neighbor_alltoall(*c, "MPI_Neighbor_alltoall", nullptr, sendbuf, sendcount, sendtype, recvbuf, recvcount,
                           recvtype);
}

int ferry::mpi::impl::MPI_Ineighbor_alltoall(const void* sendbuf, int sendcount, MPI_Datatype sendtype, void* recvbuf,
                                      int recvcount, MPI_Datatype recvtype, MPI_Comm comm, MPI_Request* request) {
  Comm* c = hybrid(comm);
  if (int code = check_request(*c, "MPI_Ineighbor_alltoall", request)) return code;
  return neighbor_alltoall(*c, "MPI_Ineighbor_alltoall", request, sendbuf, sendcount, sendtype, recvbuf, recvcount,
                           recvtype);
}

int ferry::mpi::impl::MPI_Neighbor_alltoallv(const void* sendbuf, const int sendcounts[], const int sdispls[],
                                      MPI_Datatype sendtype, void* recvbuf, const int recvcounts[], const int rdispls[],
                                      MPI_Datatype recvtype, MPI_Comm comm) {
  Comm* c = hybrid(comm);
  return neighbor_alltoallv(*c, "MPI_Neighbor_alltoallv", nullptr, sendbuf, sendcounts, sdispls, sendtype, recvbuf,
                            recvcounts, rdispls, recvtype);
}

int ferry::mpi::impl::MPI_Ineighbor_alltoallv(const void* sendbuf, const int sendcounts[], const int sdispls[],
                                       MPI_Datatype sendtype, void* recvbuf, const int recvcounts[],
                                       const int rdispls[], MPI_Datatype recvtype, MPI_Comm comm,
                                       MPI_Request* request) {
  Comm* c = hybrid(comm);
  if (int code = check_request(*c, "MPI_Ineighbor_alltoallv", request)) return code;
  return neighbor_alltoallv(*c, "MPI_Ineighbor_alltoallv", request, sendbuf, sendcounts, sdispls, sendtype, recvbuf,
                            recvcounts, rdispls, recvtype);
}

int ferry::mpi::impl::MPI_Neighbor_alltoallw(const void* sendbuf, const int sendcounts[], const MPI_Aint sdispls[],
                                      const MPI_Datatype sendtypes[], void* recvbuf, const int recvcounts[],
                                      const MPI_Aint rdispls[], const MPI_Datatype recvtypes[], MPI_Comm comm) {
  Comm* c = hybrid(comm);
  return neighbor_alltoallw(*c, "MPI_Neighbor_alltoallw", nullptr, sendbuf, sendcounts, sdispls, sendtypes, recvbuf,
                            recvcounts, rdispls, recvtypes);
}

int ferry::mpi::impl::MPI_Ineighbor_alltoallw(const void* sendbuf, const int sendcounts[], const MPI_Aint sdispls[],
                                       const MPI_Datatype sendtypes[], void* recvbuf, const int recvcounts[],
                                       const MPI_Aint rdispls[], const MPI_Datatype recvtypes[], MPI_Comm comm,
                                       MPI_Request* request) {
  Comm* c = hybrid(comm);
  if (int code = check_request(*c, "MPI_Ineighbor_alltoallw", request)) return code;
  return neighbor_alltoallw(*c, "MPI_Ineighbor_alltoallw", request, sendbuf, sendcounts, sdispls, sendtypes, recvbuf,
                            recvcounts, rdispls, recvtypes);
}
