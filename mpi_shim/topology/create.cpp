// Constructors of topologies on hybrid communicators. The new communicator comes from
// create_comm; when it turns out native (only batch ranks are left in it), Open MPI
// builds the same topology on it, so later calls on it simply pass through.

#include <algorithm>
#include <memory>
#include <numeric>
#include <vector>

#include "mpi_shim/communicator.hpp"
#include "mpi_shim/errors.hpp"
#include "mpi_shim/surface/implementations.hpp"
#include "mpi_shim/topology/topology.hpp"
#include "mpi_shim/world.hpp"

namespace ferry::mpi {
namespace {

std::vector<int> first_members(const Comm& parent, int count) {
  return std::vector<int>(parent.group.members.begin(), parent.group.members.begin() + count);
}

/// Puts `topology` on a new communicator: the shim's own, or Open MPI's for a native one.
int attach(MPI_Comm created, std::shared_ptr<Topology> topology, MPI_Comm* result) {
  if (created == MPI_COMM_NULL) {
    *result = MPI_COMM_NULL;
    return MPI_SUCCESS;
  }
  if (Comm* comm = hybrid(created)) {
    comm->topology = std::move(topology);
    *result = created;
    return MPI_SUCCESS;
  }
  ShimScope scope;
  const Topology& t = *topology;
  int code = MPI_SUCCESS;
  if (t.kind == Topology::Kind::cartesian) {
    code = PMPI_Cart_create(created, int(t.dims.size()), t.dims.data(), t.periods.data(), 0, result);
  } else {
    code = PMPI_Graph_create(created, int(t.index.size()), t.index.data(), t.edges.data(), 0, result);
  }
  PMPI_Comm_free(&created);
  return code;
}

int check_cart(const Comm& c, int ndims, const int* dims, const int* periods) {
  if (ndims < 0) return MPI_ERR_DIMS;
  if (ndims > 0 && (dims == nullptr || periods == nullptr)) return MPI_ERR_ARG;
  long long product = 1;
  for (int d = 0; d < ndims; ++d) {
    if (dims[d] <= 0) return MPI_ERR_DIMS;
    product *= dims[d];
    if (product > c.size()) return MPI_ERR_DIMS;
  }
  return MPI_SUCCESS;
}

int check_graph(const Comm& c, int nnodes, const int* index, const int* edges) {
  if (nnodes < 0 || nnodes > c.size()) return MPI_ERR_ARG;
  if (nnodes > 0 && (index == nullptr || edges == nullptr)) return MPI_ERR_ARG;
  int previous = 0;
  for (int node = 0; node < nnodes; ++node) {
    if (index[node] < previous) return MPI_ERR_ARG;
    previous = index[node];
  }
  for (int edge = 0; edge < previous; ++edge) {
    if (edges[edge] < 0 || edges[edge] >= nnodes) return MPI_ERR_TOPOLOGY;
  }
  return MPI_SUCCESS;
}

int check_adjacency(const Comm& c, int degree, const int* ranks, const int* weights) {
  if (degree < 0) return MPI_ERR_ARG;
  if (degree > 0 && (ranks == nullptr || weights == nullptr || weights == MPI_WEIGHTS_EMPTY)) return MPI_ERR_ARG;
  for (int i = 0; i < degree; ++i) {
    if (ranks[i] < 0 || ranks[i] >= c.size()) return MPI_ERR_ARG;
    if (weights != MPI_UNWEIGHTED && weights[i] < 0) return MPI_ERR_ARG;
  }
  return MPI_SUCCESS;
}

std::vector<int> weights_of(int degree, const int* weights) {
  if (weights == MPI_UNWEIGHTED || degree == 0) return std::vector<int>(size_t(degree), 1);
  return std::vector<int>(weights, weights + degree);
}

int check_edges(const Comm& c, int n, const int* nodes, const int* degrees, const int* targets, const int* weights) {
  if (n < 0) return MPI_ERR_ARG;
  if (n > 0 && (nodes == nullptr || degrees == nullptr)) return MPI_ERR_ARG;
  long long edges = 0;
  for (int i = 0; i < n; ++i) {
    if (nodes[i] < 0 || nodes[i] >= c.size() || degrees[i] < 0) return MPI_ERR_ARG;
    edges += degrees[i];
    if (edges > (1 << 24)) return MPI_ERR_ARG;
  }
  if (edges > 0 && (targets == nullptr || weights == nullptr || weights == MPI_WEIGHTS_EMPTY)) return MPI_ERR_ARG;
  for (long long e = 0; e < edges; ++e) {
    if (targets[e] < 0 || targets[e] >= c.size()) return MPI_ERR_ARG;
    if (weights != MPI_UNWEIGHTED && weights[e] < 0) return MPI_ERR_ARG;
  }
  return MPI_SUCCESS;
}

/// This rank's part of MPI_Dist_graph_create's edges, as (source, destination, weight) triples.
std::vector<int> edge_list(int n, const int* nodes, const int* degrees, const int* targets, const int* weights) {
  std::vector<int> triples;
  int e = 0;
  for (int i = 0; i < n; ++i) {
    for (int k = 0; k < degrees[i]; ++k, ++e) {
      triples.insert(triples.end(), {nodes[i], targets[e], weights == MPI_UNWEIGHTED ? 1 : weights[e]});
    }
  }
  return triples;
}

/// Every rank's triples, in rank order.
std::vector<int> all_edges(Comm& c, const std::vector<int>& mine) {
  const int count = int(mine.size());
  std::vector<int> counts(size_t(c.size()));
  allgather_bytes(c, &count, sizeof count, counts.data());
  const int longest = *std::max_element(counts.begin(), counts.end());
  std::vector<int> padded(mine);
  padded.resize(size_t(longest));
  std::vector<int> all(size_t(longest) * size_t(c.size()));
  allgather_bytes(c, padded.data(), padded.size() * sizeof(int), all.data());
  std::vector<int> result;
  for (int rank = 0; rank < c.size(); ++rank) {
    const auto begin = all.begin() + ptrdiff_t(rank) * longest;
    result.insert(result.end(), begin, begin + counts[size_t(rank)]);
  }
  return result;
}

void add_edges(Topology& topology, int me, const std::vector<int>& triples) {
  for (size_t e = 0; e + 2 < triples.size(); e += 3) {
    if (triples[e + 1] == me) {
      topology.sources.push_back(triples[e]);
      topology.source_weights.push_back(triples[e + 2]);
    }
    if (triples[e] == me) {
      topology.destinations.push_back(triples[e + 1]);
      topology.destination_weights.push_back(triples[e + 2]);
    }
  }
}

/// The members of `cart` that share this rank's coordinates in every dropped dimension.
std::vector<int> sub_members(const Comm& cart, const int* remain) {
  const Topology& t = *cart.topology;
  const std::vector<int> mine = cart_coords(t, cart.rank);
  std::vector<int> members;
  for (int rank = 0; rank < t.cart_size(); ++rank) {
    const std::vector<int> coords = cart_coords(t, rank);
    bool same = true;
    for (size_t d = 0; d < coords.size(); ++d) same = same && (remain[d] != 0 || coords[d] == mine[d]);
    if (same) members.push_back(cart.world_rank(rank));
  }
  return members;
}

}  // namespace
}  // namespace ferry::mpi

using namespace ferry::mpi;

int ferry::mpi::impl::MPI_Cart_create(MPI_Comm old_comm, int ndims, const int dims[], const int periods[], int /*reorder*/,
                               MPI_Comm* comm_cart) {
  Comm* c = hybrid(old_comm);
  if (comm_cart == nullptr) return raise(c, MPI_ERR_ARG, "MPI_Cart_create");
  if (int code = check_cart(*c, ndims, dims, periods)) return raise(c, code, "MPI_Cart_create");
  try {
    auto topology = std::make_shared<Topology>();
    topology->dims.assign(dims, dims + ndims);
    for (int d = 0; d < ndims; ++d) topology->periods.push_back(periods[d] != 0 ? 1 : 0);
    const MPI_Comm created = create_comm(*c, first_members(*c, topology->cart_size()));
    if (int code = attach(created, std::move(topology), comm_cart)) return raise(c, code, "MPI_Cart_create");
    return MPI_SUCCESS;
  } catch (const std::exception& error) {
    return raise(c, MPI_ERR_INTERN, "MPI_Cart_create", error.what());
  }
}

int ferry::mpi::impl::MPI_Cart_sub(MPI_Comm comm, const int remain_dims[], MPI_Comm* new_comm) {
  Comm* c = hybrid(comm);
  if (c->topology == nullptr || c->topology->kind != Topology::Kind::cartesian)
    return raise(c, MPI_ERR_TOPOLOGY, "MPI_Cart_sub");
  const Topology& t = *c->topology;
  if (new_comm == nullptr || (remain_dims == nullptr && !t.dims.empty())) return raise(c, MPI_ERR_ARG, "MPI_Cart_sub");
  try {
    auto topology = std::make_shared<Topology>();
    for (size_t d = 0; d < t.dims.size(); ++d) {
      if (remain_dims[d] == 0) continue;
      topology->dims.push_back(t.dims[d]);
      topology->periods.push_back(t.periods[d]);
    }
    const MPI_Comm created = create_comm(*c, sub_members(*c, remain_dims));
    if (int code = attach(created, std::move(topology), new_comm)) return raise(c, code, "MPI_Cart_sub");
    return MPI_SUCCESS;
  } catch (const std::exception& error) {
    return raise(c, MPI_ERR_INTERN, "MPI_Cart_sub", error.what());
  }
}

int ferry::mpi::impl::MPI_Graph_create(MPI_Comm comm_old, int nnodes, const int index[], const int edges[], int /*reorder*/,
                                MPI_Comm* comm_graph) {
  Comm* c = hybrid(comm_old);
  if (comm_graph == nullptr) return raise(c, MPI_ERR_ARG, "MPI_Graph_create");
  if (int code = check_graph(*c, nnodes, index, edges)) return raise(c, code, "MPI_Graph_create");
  try {
    auto topology = std::make_shared<Topology>();
    topology->kind = Topology::Kind::graph;
    topology->index.assign(index, index + nnodes);
    topology->edges.assign(edges, edges + (nnodes > 0 ? index[nnodes - 1] : 0));
    const MPI_Comm created = create_comm(*c, first_members(*c, nnodes));
    if (int code = attach(created, std::move(topology), comm_graph)) return raise(c, code, "MPI_Graph_create");
    return MPI_SUCCESS;
  } catch (const std::exception& error) {
    return raise(c, MPI_ERR_INTERN, "MPI_Graph_create", error.what());
  }
}

int ferry::mpi::impl::MPI_Dist_graph_create_adjacent(MPI_Comm comm_old, int indegree, const int sources[],
                                              const int sourceweights[], int outdegree, const int destinations[],
                                              const int destweights[], MPI_Info /*info*/, int /*reorder*/,
                                              MPI_Comm* comm_dist_graph) {
  Comm* c = hybrid(comm_old);
  constexpr const char* name = "MPI_Dist_graph_create_adjacent";
  if (comm_dist_graph == nullptr) return raise(c, MPI_ERR_ARG, name);
  if (int code = check_adjacency(*c, indegree, sources, sourceweights)) return raise(c, code, name);
  if (int code = check_adjacency(*c, outdegree, destinations, destweights)) return raise(c, code, name);
  try {
    auto topology = std::make_shared<Topology>();
    topology->kind = Topology::Kind::dist_graph;
    topology->sources.assign(sources, sources + indegree);
    topology->destinations.assign(destinations, destinations + outdegree);
    topology->source_weights = weights_of(indegree, sourceweights);
    topology->destination_weights = weights_of(outdegree, destweights);
    topology->weighted = sourceweights != MPI_UNWEIGHTED && destweights != MPI_UNWEIGHTED;
    const MPI_Comm created = create_comm(*c, c->group.members);
    Comm* result = hybrid(created);
    if (result == nullptr) return raise(c, MPI_ERR_INTERN, name, "a copy of a hybrid communicator came out native");
    result->topology = std::move(topology);
    *comm_dist_graph = created;
    return MPI_SUCCESS;
  } catch (const std::exception& error) {
    return raise(c, MPI_ERR_INTERN, name, error.what());
  }
}

int ferry::mpi::impl::MPI_Dist_graph_create(MPI_Comm comm_old, int n, const int nodes[], const int degrees[],
                                     const int targets[], const int weights[], MPI_Info /*info*/, int /*reorder*/,
                                     MPI_Comm* newcomm) {
  Comm* c = hybrid(comm_old);
  constexpr const char* name = "MPI_Dist_graph_create";
  if (newcomm == nullptr) return raise(c, MPI_ERR_ARG, name);
  if (int code = check_edges(*c, n, nodes, degrees, targets, weights)) return raise(c, code, name);
  try {
    auto topology = std::make_shared<Topology>();
    topology->kind = Topology::Kind::dist_graph;
    topology->weighted = weights != MPI_UNWEIGHTED;
    add_edges(*topology, c->rank, all_edges(*c, edge_list(n, nodes, degrees, targets, weights)));
    const MPI_Comm created = create_comm(*c, c->group.members);
    Comm* result = hybrid(created);
    if (result == nullptr) return raise(c, MPI_ERR_INTERN, name, "a copy of a hybrid communicator came out native");
    result->topology = std::move(topology);
    *newcomm = created;
    return MPI_SUCCESS;
  } catch (const std::exception& error) {
    return raise(c, MPI_ERR_INTERN, name, error.what());
  }
}
