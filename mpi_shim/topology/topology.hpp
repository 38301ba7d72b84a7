#pragma once
// The virtual topology of a hybrid communicator (Comm::topology): cartesian, graph or
// distributed graph, and the neighbourhoods the neighbour collectives use.

#include <mpi.h>

#include <vector>

namespace ferry::mpi {

struct Topology {
  enum class Kind { cartesian, graph, dist_graph };
  Kind kind = Kind::cartesian;

  std::vector<int> dims;     ///< cartesian: extent of each dimension
  std::vector<int> periods;  ///< cartesian: nonzero where a dimension wraps

  std::vector<int> index;  ///< graph: MPI_Graph_create's index array
  std::vector<int> edges;  ///< graph: MPI_Graph_create's edges array

  std::vector<int> sources;  ///< dist graph: this rank's in-neighbours
  std::vector<int> source_weights;
  std::vector<int> destinations;  ///< dist graph: this rank's out-neighbours
  std::vector<int> destination_weights;
  bool weighted = false;

  /// MPI_CART, MPI_GRAPH or MPI_DIST_GRAPH.
  int status() const noexcept;
  /// Ranks a cartesian topology spans (the product of dims).
  int cart_size() const noexcept;
};

/// Coordinates of `rank` in a cartesian topology (row-major).
std::vector<int> cart_coords(const Topology& topology, int rank);
/// Rank at `coords`, wrapping periodic dimensions; MPI_PROC_NULL outside a non-periodic one.
int cart_rank(const Topology& topology, const std::vector<int>& coords);
/// MPI_Cart_shift's pair for `rank`.
void cart_shift(const Topology& topology, int rank, int direction, int displacement, int* source, int* dest);
/// A graph topology's neighbours of `rank`, in the order of its edges.
std::vector<int> graph_neighbors(const Topology& topology, int rank);

/// Whom a neighbour collective receives from and sends to, in MPI's buffer order
/// (MPI_PROC_NULL entries included: their blocks are left alone).
struct Neighborhood {
  std::vector<int> sources;
  std::vector<int> destinations;
};
Neighborhood neighborhood(const Topology& topology, int rank);

/// The order in which to post receives (indices into sources) so that two messages from
/// the same peer land in the right blocks: a peer sends them in its destination order.
std::vector<size_t> receive_order(const Topology& topology, size_t source_count);

}  // namespace ferry::mpi
