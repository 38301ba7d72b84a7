// Topology queries and mappings on hybrid communicators; all local.

#include <algorithm>
#include <vector>

#include "mpi_shim/communicator.hpp"
#include "mpi_shim/errors.hpp"
#include "mpi_shim/surface/implementations.hpp"
#include "mpi_shim/topology/topology.hpp"

namespace ferry::mpi {
namespace {

/// The communicator's topology when it is of `kind`, else nullptr (after raising).
const Topology* topology_of(Comm& c, Topology::Kind kind, const char* function, int* code) {
  if (c.topology == nullptr || c.topology->kind != kind) {
    *code = raise(&c, MPI_ERR_TOPOLOGY, function);
    return nullptr;
  }
  *code = MPI_SUCCESS;
  return c.topology.get();
}

void copy_out(const std::vector<int>& values, int max, int* out) {
  std::copy_n(values.begin(), std::min<size_t>(values.size(), size_t(std::max(max, 0))), out);
}

}  // namespace
}  // namespace ferry::mpi

using namespace ferry::mpi;

int ferry::mpi::impl::MPI_Topo_test(MPI_Comm comm, int* status) {
  Comm* c = hybrid(comm);
  if (status == nullptr) return raise(c, MPI_ERR_ARG, "MPI_Topo_test");
  *status = c->topology == nullptr ? MPI_UNDEFINED : c->topology->status();
  return MPI_SUCCESS;
}

int ferry::mpi::impl::MPI_Cartdim_get(MPI_Comm comm, int* ndims) {
  Comm* c = hybrid(comm);
  int code = MPI_SUCCESS;
  const Topology* t = topology_of(*c, Topology::Kind::cartesian, "MPI_Cartdim_get", &code);
  if (t == nullptr) return code;
  if (ndims == nullptr) return raise(c, MPI_ERR_ARG, "MPI_Cartdim_get");
  *ndims = int(t->dims.size());
  return MPI_SUCCESS;
}

int ferry::mpi::impl::MPI_Cart_get(MPI_Comm comm, int maxdims, int dims[], int periods[], int coords[]) {
  Comm* c = hybrid(comm);
  int code = MPI_SUCCESS;
  const Topology* t = topology_of(*c, Topology::Kind::cartesian, "MPI_Cart_get", &code);
  if (t == nullptr) return code;
  if (maxdims < 0 || (maxdims > 0 && (dims == nullptr || periods == nullptr || coords == nullptr)))
    return raise(c, MPI_ERR_ARG, "MPI_Cart_get");
  copy_out(t->dims, maxdims, dims);
  copy_out(t->periods, maxdims, periods);
  copy_out(cart_coords(*t, c->rank), maxdims, coords);
  return MPI_SUCCESS;
}

int ferry::mpi::impl::MPI_Cart_rank(MPI_Comm comm, const int coords[], int* rank) {
  Comm* c = hybrid(comm);
  int code = MPI_SUCCESS;
  const Topology* t = topology_of(*c, Topology::Kind::cartesian, "MPI_Cart_rank", &code);
  if (t == nullptr) return code;
  if (rank == nullptr || (coords == nullptr && !t->dims.empty())) return raise(c, MPI_ERR_ARG, "MPI_Cart_rank");
  const int result = cart_rank(*t, std::vector<int>(coords, coords + t->dims.size()));
  if (result == MPI_PROC_NULL)
    return raise(c, MPI_ERR_ARG, "MPI_Cart_rank", "coordinate outside a non-periodic dimension");
  *rank = result;
  return MPI_SUCCESS;
}

int ferry::mpi::impl::MPI_Cart_coords(MPI_Comm comm, int rank, int maxdims, int coords[]) {
  Comm* c = hybrid(comm);
  int code = MPI_SUCCESS;
  const Topology* t = topology_of(*c, Topology::Kind::cartesian, "MPI_Cart_coords", &code);
  if (t == nullptr) return code;
  if (rank < 0 || rank >= c->size()) return raise(c, MPI_ERR_RANK, "MPI_Cart_coords");
  if (maxdims < 0 || (maxdims > 0 && coords == nullptr)) return raise(c, MPI_ERR_ARG, "MPI_Cart_coords");
  copy_out(cart_coords(*t, rank), maxdims, coords);
  return MPI_SUCCESS;
}

int ferry::mpi::impl::MPI_Cart_shift(MPI_Comm comm, int direction, int disp, int* rank_source, int* rank_dest) {
  Comm* c = hybrid(comm);
  int code = MPI_SUCCESS;
  const Topology* t = topology_of(*c, Topology::Kind::cartesian, "MPI_Cart_shift", &code);
  if (t == nullptr) return code;
  if (direction < 0 || direction >= int(t->dims.size())) return raise(c, MPI_ERR_DIMS, "MPI_Cart_shift");
  if (rank_source == nullptr || rank_dest == nullptr) return raise(c, MPI_ERR_ARG, "MPI_Cart_shift");
  cart_shift(*t, c->rank, direction, disp, rank_source, rank_dest);
  return MPI_SUCCESS;
}

int ferry::mpi::impl::MPI_Cart_map(MPI_Comm comm, int ndims, const int dims[], const int /*periods*/[], int* newrank) {
  Comm* c = hybrid(comm);
  if (ndims < 0 || newrank == nullptr || (ndims > 0 && dims == nullptr)) return raise(c, MPI_ERR_ARG, "MPI_Cart_map");
  long long product = 1;
  for (int d = 0; d < ndims; ++d) {
    if (dims[d] <= 0) return raise(c, MPI_ERR_DIMS, "MPI_Cart_map");
    product *= dims[d];
    if (product > c->size()) return raise(c, MPI_ERR_DIMS, "MPI_Cart_map");
  }
  *newrank = c->rank < product ? c->rank : MPI_UNDEFINED;
  return MPI_SUCCESS;
}

int ferry::mpi::impl::MPI_Graphdims_get(MPI_Comm comm, int* nnodes, int* nedges) {
  Comm* c = hybrid(comm);
  int code = MPI_SUCCESS;
  const Topology* t = topology_of(*c, Topology::Kind::graph, "MPI_Graphdims_get", &code);
  if (t == nullptr) return code;
  if (nnodes == nullptr || nedges == nullptr) return raise(c, MPI_ERR_ARG, "MPI_Graphdims_get");
  *nnodes = int(t->index.size());
  *nedges = int(t->edges.size());
  return MPI_SUCCESS;
}

int ferry::mpi::impl::MPI_Graph_get(MPI_Comm comm, int maxindex, int maxedges, int index[], int edges[]) {
  Comm* c = hybrid(comm);
  int code = MPI_SUCCESS;
  const Topology* t = topology_of(*c, Topology::Kind::graph, "MPI_Graph_get", &code);
  if (t == nullptr) return code;
  if (maxindex < 0 || maxedges < 0 || (maxindex > 0 && index == nullptr) || (maxedges > 0 && edges == nullptr))
    return raise(c, MPI_ERR_ARG, "MPI_Graph_get");
  copy_out(t->index, maxindex, index);
  copy_out(t->edges, maxedges, edges);
  return MPI_SUCCESS;
}

int ferry::mpi::impl::MPI_Graph_neighbors_count(MPI_Comm comm, int rank, int* nneighbors) {
  Comm* c = hybrid(comm);
  int code = MPI_SUCCESS;
  const Topology* t = topology_of(*c, Topology::Kind::graph, "MPI_Graph_neighbors_count", &code);
  if (t == nullptr) return code;
  if (rank < 0 || rank >= int(t->index.size())) return raise(c, MPI_ERR_RANK, "MPI_Graph_neighbors_count");
  if (nneighbors == nullptr) return raise(c, MPI_ERR_ARG, "MPI_Graph_neighbors_count");
  *nneighbors = int(graph_neighbors(*t, rank).size());
  return MPI_SUCCESS;
}

int ferry::mpi::impl::MPI_Graph_neighbors(MPI_Comm comm, int rank, int maxneighbors, int neighbors[]) {
  Comm* c = hybrid(comm);
  int code = MPI_SUCCESS;
  const Topology* t = topology_of(*c, Topology::Kind::graph, "MPI_Graph_neighbors", &code);
  if (t == nullptr) return code;
  if (rank < 0 || rank >= int(t->index.size())) return raise(c, MPI_ERR_RANK, "MPI_Graph_neighbors");
  if (maxneighbors < 0 || (maxneighbors > 0 && neighbors == nullptr))
    return raise(c, MPI_ERR_ARG, "MPI_Graph_neighbors");
  copy_out(graph_neighbors(*t, rank), maxneighbors, neighbors);
  return MPI_SUCCESS;
}

int ferry::mpi::impl::MPI_Graph_map(MPI_Comm comm, int nnodes, const int /*index*/[], const int /*edges*/[], int* newrank) {
  Comm* c = hybrid(comm);
  if (nnodes <= 0 || nnodes > c->size()) return raise(c, MPI_ERR_ARG, "MPI_Graph_map");
  if (newrank == nullptr) return raise(c, MPI_ERR_ARG, "MPI_Graph_map");
  *newrank = c->rank < nnodes ? c->rank : MPI_UNDEFINED;
  return MPI_SUCCESS;
}

int ferry::mpi::impl::MPI_Dist_graph_neighbors_count(MPI_Comm comm, int* inneighbors, int* outneighbors, int* weighted) {
  Comm* c = hybrid(comm);
  int code = MPI_SUCCESS;
  const Topology* t = topology_of(*c, Topology::Kind::dist_graph, "MPI_Dist_graph_neighbors_count", &code);
  if (t == nullptr) return code;
  if (inneighbors == nullptr || outneighbors == nullptr || weighted == nullptr)
    return raise(c, MPI_ERR_ARG, "MPI_Dist_graph_neighbors_count");
  *inneighbors = int(t->sources.size());
  *outneighbors = int(t->destinations.size());
  *weighted = t->weighted ? 1 : 0;
  return MPI_SUCCESS;
}

int ferry::mpi::impl::MPI_Dist_graph_neighbors(MPI_Comm comm, int maxindegree, int sources[], int sourceweights[],
                                        int maxoutdegree, int destinations[], int destweights[]) {
  Comm* c = hybrid(comm);
  int code = MPI_SUCCESS;
  const Topology* t = topology_of(*c, Topology::Kind::dist_graph, "MPI_Dist_graph_neighbors", &code);
  if (t == nullptr) return code;
  if (maxindegree < int(t->sources.size()) || maxoutdegree < int(t->destinations.size()) ||
      (maxindegree > 0 && sources == nullptr) || (maxoutdegree > 0 && destinations == nullptr))
    return raise(c, MPI_ERR_ARG, "MPI_Dist_graph_neighbors");
  copy_out(t->sources, maxindegree, sources);
  copy_out(t->destinations, maxoutdegree, destinations);
  if (t->weighted && sourceweights != MPI_UNWEIGHTED && sourceweights != nullptr)
    copy_out(t->source_weights, maxindegree, sourceweights);
  if (t->weighted && destweights != MPI_UNWEIGHTED && destweights != nullptr)
    copy_out(t->destination_weights, maxoutdegree, destweights);
  return MPI_SUCCESS;
}
