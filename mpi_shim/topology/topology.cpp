#include "mpi_shim/topology/topology.hpp"

#include <functional>
#include <numeric>

namespace ferry::mpi {

int Topology::status() const noexcept {
  switch (kind) {
    case Kind::cartesian:
      return MPI_CART;
    case Kind::graph:
      return MPI_GRAPH;
    case Kind::dist_graph:
      return MPI_DIST_GRAPH;
  }
  return MPI_UNDEFINED;
}

int Topology::cart_size() const noexcept {
  return std::accumulate(dims.begin(), dims.end(), 1, std::multiplies<int>());
}

std::vector<int> cart_coords(const Topology& topology, int rank) {
  std::vector<int> coords(topology.dims.size(), 0);
  for (size_t d = coords.size(); d-- > 0;) {
    coords[d] = rank % topology.dims[d];
    rank /= topology.dims[d];
  }
  return coords;
}

int cart_rank(const Topology& topology, const std::vector<int>& coords) {
  int rank = 0;
  for (size_t d = 0; d < topology.dims.size(); ++d) {
    const int extent = topology.dims[d];
    int coord = coords[d];
    if (topology.periods[d] != 0) {
      coord = ((coord % extent) + extent) % extent;
    } else if (coord < 0 || coord >= extent) {
      return MPI_PROC_NULL;
    }
    rank = rank * extent + coord;
  }
  return rank;
}

void cart_shift(const Topology& topology, int rank, int direction, int displacement, int* source, int* dest) {
  std::vector<int> coords = cart_coords(topology, rank);
  const int here = coords[size_t(direction)];
  coords[size_t(direction)] = here + displacement;
  *dest = cart_rank(topology, coords);
  coords[size_t(direction)] = here - displacement;
  *source = cart_rank(topology, coords);
}

std::vector<int> graph_neighbors(const Topology& topology, int rank) {
  const int begin = rank == 0 ? 0 : topology.index[size_t(rank - 1)];
  const int end = topology.index[size_t(rank)];
  return std::vector<int>(topology.edges.begin() + begin, topology.edges.begin() + end);
}

Neighborhood neighborhood(const Topology& topology, int rank) {
  Neighborhood result;
  switch (topology.kind) {
    case Topology::Kind::cartesian:
      for (size_t d = 0; d < topology.dims.size(); ++d) {
        int below = MPI_PROC_NULL, above = MPI_PROC_NULL;
        cart_shift(topology, rank, int(d), 1, &below, &above);
        result.sources.insert(result.sources.end(), {below, above});
      }
      result.destinations = result.sources;
      break;
    case Topology::Kind::graph:
      result.sources = graph_neighbors(topology, rank);
      result.destinations = result.sources;
      break;
    case Topology::Kind::dist_graph:
      result.sources = topology.sources;
      result.destinations = topology.destinations;
      break;
  }
  return result;
}

std::vector<size_t> receive_order(const Topology& topology, size_t source_count) {
  std::vector<size_t> order(source_count);
  std::iota(order.begin(), order.end(), size_t{0});
  if (topology.kind != Topology::Kind::cartesian) return order;
  // A peer that is both the lower and the upper neighbour (a periodic dimension of
  // extent 1 or 2) first sends the block meant for its lower neighbour, which is our
  // upper-neighbour block.
  for (size_t d = 0; d + 1 < source_count; d += 2) std::swap(order[d], order[d + 1]);
  return order;
}

}  // namespace ferry::mpi
