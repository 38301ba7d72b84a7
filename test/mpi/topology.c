/* Process topologies: Cartesian, graph and distributed graph communicators, their
   queries, and neighbourhood collectives on them. */
#include "mpi_check.h"

enum { UNTOUCHED = -7 };

/* Printed neighbour ranks use -1 for MPI_PROC_NULL, whose value is implementation-defined. */
static int shown(int rank) { return rank == MPI_PROC_NULL ? -1 : rank; }

static void check_dims_create(void) {
  int size = world_size();
  int dims[2] = {0, 0};
  CHECK_MPI(MPI_Dims_create(size, 2, dims));
  CHECK_INT(dims[0] * dims[1], size, "Dims_create product");
  CHECK(dims[0] >= dims[1], "Dims_create not in non-increasing order");
  int fixed[3] = {0, 1, 0};
  CHECK_MPI(MPI_Dims_create(size, 3, fixed));
  CHECK_INT(fixed[1], 1, "Dims_create changed a fixed dimension");
  CHECK_INT(fixed[0] * fixed[2], size, "Dims_create product with a fixed dimension");
  if (world_rank() == 0)
    out("dims_create: %dx%d, with fixed middle %dx%dx%d", dims[0], dims[1], fixed[0],
        fixed[1], fixed[2]);
}

static MPI_Comm make_cart(int periodic_first, int *dims) {
  dims[0] = dims[1] = 0;
  CHECK_MPI(MPI_Dims_create(world_size(), 2, dims));
  int periods[2] = {periodic_first, 0};
  MPI_Comm cart;
  CHECK_MPI(MPI_Cart_create(MPI_COMM_WORLD, 2, dims, periods, 0, &cart));
  return cart;
}

static void check_cart_queries(void) {
  int dims[2];
  MPI_Comm cart = make_cart(1, dims);
  int rank;
  MPI_Comm_rank(cart, &rank);
  int status;
  int ndims;
  CHECK_MPI(MPI_Topo_test(cart, &status));
  CHECK_INT(status, MPI_CART, "Topo_test of a Cartesian comm");
  CHECK_MPI(MPI_Cartdim_get(cart, &ndims));
  CHECK_INT(ndims, 2, "Cartdim_get");
  int got_dims[2], periods[2], coords[2];
  CHECK_MPI(MPI_Cart_get(cart, 2, got_dims, periods, coords));
  CHECK(got_dims[0] == dims[0] && got_dims[1] == dims[1], "Cart_get dims");
  CHECK(periods[0] && !periods[1], "Cart_get periods");
  CHECK(coords[0] == rank / dims[1] && coords[1] == rank % dims[1], "Cart_get coords");
  int again[2];
  CHECK_MPI(MPI_Cart_coords(cart, rank, 2, again));
  CHECK(again[0] == coords[0] && again[1] == coords[1], "Cart_coords");
  int back;
  CHECK_MPI(MPI_Cart_rank(cart, coords, &back));
  CHECK_INT(back, rank, "Cart_rank of own coords");
  int wrapped[2] = {coords[0] + dims[0], coords[1]};
  CHECK_MPI(MPI_Cart_rank(cart, wrapped, &back));
  CHECK_INT(back, rank, "Cart_rank wraps a periodic dimension");
  int source[2], dest[2];
  CHECK_MPI(MPI_Cart_shift(cart, 0, 1, &source[0], &dest[0]));
  CHECK_MPI(MPI_Cart_shift(cart, 1, 1, &source[1], &dest[1]));
  int up = ((coords[0] + dims[0] - 1) % dims[0]) * dims[1] + coords[1];
  CHECK_INT(source[0], up, "periodic shift source");
  CHECK_INT(dest[1], coords[1] + 1 < dims[1] ? rank + 1 : MPI_PROC_NULL,
            "non-periodic shift destination");
  MPI_Comm row;
  int keep[2] = {0, 1};
  CHECK_MPI(MPI_Cart_sub(cart, keep, &row));
  int row_size, row_rank;
  MPI_Comm_size(row, &row_size);
  MPI_Comm_rank(row, &row_rank);
  CHECK_INT(row_size, dims[1], "Cart_sub size");
  CHECK_INT(row_rank, coords[1], "Cart_sub rank");
  int row_sum = 0;
  CHECK_MPI(MPI_Allreduce(&rank, &row_sum, 1, MPI_INT, MPI_SUM, row));
  out("cart: coords (%d,%d), shift dim0 %d->%d, dim1 %d->%d, row %d of %d, row sum %d",
      coords[0], coords[1], shown(source[0]), shown(dest[0]), shown(source[1]), shown(dest[1]),
      row_rank, row_size,
      row_sum);
  CHECK_MPI(MPI_Comm_free(&row));
  CHECK_MPI(MPI_Comm_free(&cart));
}

/* Neighbour order on a Cartesian comm: per dimension, the -1 then the +1 neighbour. */
static void check_cart_neighbors(void) {
  int dims[2];
  MPI_Comm cart = make_cart(0, dims);
  int rank;
  MPI_Comm_rank(cart, &rank);
  int neighbors[4];
  CHECK_MPI(MPI_Cart_shift(cart, 0, 1, &neighbors[0], &neighbors[1]));
  CHECK_MPI(MPI_Cart_shift(cart, 1, 1, &neighbors[2], &neighbors[3]));
  int gathered[4], sent[4], received[4], counts[4] = {1, 1, 1, 1}, displs[4] = {0, 1, 2, 3};
  for (int j = 0; j < 4; ++j) {
    gathered[j] = received[j] = UNTOUCHED;
    sent[j] = rank * 10 + j;
  }
  CHECK_MPI(MPI_Neighbor_allgather(&rank, 1, MPI_INT, gathered, 1, MPI_INT, cart));
  CHECK_MPI(MPI_Neighbor_alltoall(sent, 1, MPI_INT, received, 1, MPI_INT, cart));
  for (int j = 0; j < 4; ++j) {
    int from = neighbors[j];
    CHECK_INT(gathered[j], from == MPI_PROC_NULL ? UNTOUCHED : from, "cart neighbor_allgather");
    CHECK_INT(received[j], from == MPI_PROC_NULL ? UNTOUCHED : from * 10 + (j ^ 1),
              "cart neighbor_alltoall");
    gathered[j] = received[j] = UNTOUCHED;
  }
  CHECK_MPI(MPI_Neighbor_allgatherv(&rank, 1, MPI_INT, gathered, counts, displs, MPI_INT, cart));
  CHECK_MPI(MPI_Neighbor_alltoallv(sent, counts, displs, MPI_INT, received, counts, displs,
                                   MPI_INT, cart));
  for (int j = 0; j < 4; ++j) {
    int from = neighbors[j];
    CHECK_INT(gathered[j], from == MPI_PROC_NULL ? UNTOUCHED : from, "cart neighbor_allgatherv");
    CHECK_INT(received[j], from == MPI_PROC_NULL ? UNTOUCHED : from * 10 + (j ^ 1),
              "cart neighbor_alltoallv");
  }
  out("cart neighbors %d %d %d %d: allgather(v), alltoall(v) ok", shown(neighbors[0]),
      shown(neighbors[1]), shown(neighbors[2]), shown(neighbors[3]));
  CHECK_MPI(MPI_Comm_free(&cart));
}

/* An undirected ring (a single edge when there are two ranks). */
static void check_graph(void) {
  int size = world_size();
  int rank = world_rank();
  int degree = size > 2 ? 2 : 1;
  int index[8];
  int edges[16];
  for (int r = 0; r < size; ++r) {
    index[r] = degree * (r + 1);
    edges[degree * r] = (r + 1) % size;
    if (degree == 2) edges[degree * r + 1] = (r + size - 1) % size;
  }
  MPI_Comm graph;
  CHECK_MPI(MPI_Graph_create(MPI_COMM_WORLD, size, index, edges, 0, &graph));
  int status, nnodes, nedges, count;
  CHECK_MPI(MPI_Topo_test(graph, &status));
  CHECK_INT(status, MPI_GRAPH, "Topo_test of a graph comm");
  CHECK_MPI(MPI_Graphdims_get(graph, &nnodes, &nedges));
  CHECK_INT(nnodes, size, "Graphdims_get nodes");
  CHECK_INT(nedges, degree * size, "Graphdims_get edges");
  int got_index[8], got_edges[16];
  CHECK_MPI(MPI_Graph_get(graph, size, degree * size, got_index, got_edges));
  for (int i = 0; i < degree * size; ++i) CHECK_INT(got_edges[i], edges[i], "Graph_get edges");
  CHECK_MPI(MPI_Graph_neighbors_count(graph, rank, &count));
  CHECK_INT(count, degree, "Graph_neighbors_count");
  int neighbors[2];
  CHECK_MPI(MPI_Graph_neighbors(graph, rank, degree, neighbors));
  int gathered[2] = {UNTOUCHED, UNTOUCHED};
  CHECK_MPI(MPI_Neighbor_allgather(&rank, 1, MPI_INT, gathered, 1, MPI_INT, graph));
  for (int j = 0; j < degree; ++j) {
    CHECK_INT(neighbors[j], edges[degree * rank + j], "Graph_neighbors");
    CHECK_INT(gathered[j], neighbors[j], "graph neighbor_allgather");
  }
  out("graph: %d neighbors, first %d, allgather ok", count, neighbors[0]);
  CHECK_MPI(MPI_Comm_free(&graph));
}

/* Each rank sends to the two ranks after it and receives from the two before it. */
static void check_dist_graph(void) {
  int size = world_size();
  int rank = world_rank();
  int sources[2] = {(rank + size - 1) % size, (rank + 2 * size - 2) % size};
  int dests[2] = {(rank + 1) % size, (rank + 2) % size};
  int source_weights[2] = {rank + 1, rank + 2};
  int dest_weights[2] = {dests[0] + 1, dests[1] + 2};
  MPI_Comm graph;
  CHECK_MPI(MPI_Dist_graph_create_adjacent(MPI_COMM_WORLD, 2, sources, source_weights, 2, dests,
                                           dest_weights, MPI_INFO_NULL, 0, &graph));
  int status, indegree, outdegree, weighted;
  CHECK_MPI(MPI_Topo_test(graph, &status));
  CHECK_INT(status, MPI_DIST_GRAPH, "Topo_test of a distributed graph comm");
  CHECK_MPI(MPI_Dist_graph_neighbors_count(graph, &indegree, &outdegree, &weighted));
  CHECK(indegree == 2 && outdegree == 2 && weighted, "Dist_graph_neighbors_count");
  int got_sources[2], got_dests[2], got_source_weights[2], got_dest_weights[2];
  CHECK_MPI(MPI_Dist_graph_neighbors(graph, 2, got_sources, got_source_weights, 2, got_dests,
                                     got_dest_weights));
  for (int j = 0; j < 2; ++j) {
    CHECK_INT(got_sources[j], sources[j], "Dist_graph_neighbors source");
    CHECK_INT(got_dests[j], dests[j], "Dist_graph_neighbors destination");
    CHECK_INT(got_source_weights[j], source_weights[j], "Dist_graph_neighbors source weight");
    CHECK_INT(got_dest_weights[j], dest_weights[j], "Dist_graph_neighbors destination weight");
  }
  int sent[3] = {rank * 10, rank * 10 + 1, rank * 10 + 2};
  int received[3] = {UNTOUCHED, UNTOUCHED, UNTOUCHED};
  int gathered[2];
  CHECK_MPI(MPI_Neighbor_allgather(&rank, 1, MPI_INT, gathered, 1, MPI_INT, graph));
  CHECK_MPI(MPI_Neighbor_alltoall(sent, 1, MPI_INT, received, 1, MPI_INT, graph));
  for (int j = 0; j < 2; ++j) {
    CHECK_INT(gathered[j], sources[j], "dist graph neighbor_allgather");
    CHECK_INT(received[j], sources[j] * 10 + j, "dist graph neighbor_alltoall");
  }
  int counts[2] = {1, 2};
  int displs[2] = {0, 1};
  received[0] = received[1] = received[2] = UNTOUCHED;
  CHECK_MPI(MPI_Neighbor_alltoallv(sent, counts, displs, MPI_INT, received, counts, displs,
                                   MPI_INT, graph));
  CHECK_INT(received[0], sources[0] * 10, "dist graph neighbor_alltoallv first");
  CHECK_INT(received[1], sources[1] * 10 + 1, "dist graph neighbor_alltoallv second");
  CHECK_INT(received[2], sources[1] * 10 + 2, "dist graph neighbor_alltoallv third");
  int placed[3] = {UNTOUCHED, UNTOUCHED, UNTOUCHED};
  int ones[2] = {1, 1};
  int swapped[2] = {1, 0};
  CHECK_MPI(MPI_Neighbor_allgatherv(&rank, 1, MPI_INT, placed, ones, swapped, MPI_INT, graph));
  CHECK_INT(placed[1], sources[0], "dist graph neighbor_allgatherv first source");
  CHECK_INT(placed[0], sources[1], "dist graph neighbor_allgatherv second source");
  CHECK_INT(placed[2], UNTOUCHED, "dist graph neighbor_allgatherv beyond the counts");
  out("dist graph: from %d and %d, allgather(v), alltoall(v) ok", sources[0], sources[1]);
  CHECK_MPI(MPI_Comm_free(&graph));
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  if (world_rank() == 0) out("world size %d", world_size());
  check_dims_create();
  check_cart_queries();
  check_cart_neighbors();
  check_graph();
  check_dist_graph();
  finish("topology");
  return 0;
}
