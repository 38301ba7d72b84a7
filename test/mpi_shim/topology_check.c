/* Topologies and neighbour collectives, checked against values each rank can compute on
 * its own. Run it with plain mpirun and under `ferry run` with function ranks: both must
 * print "passed" on every rank. */
#include <mpi.h>
#include <stdio.h>
#include <string.h>

static int rank, size, failures;

static void expect(int condition, const char* what, int detail) {
  if (!condition) {
    fprintf(stderr, "rank %d: FAILED %s (%d)\n", rank, what, detail);
    ++failures;
  }
}

static void check_cartesian(void) {
  int dims[2] = {0, 0}, periods[2] = {1, 0};
  MPI_Dims_create(size, 2, dims);
  MPI_Comm cart;
  MPI_Cart_create(MPI_COMM_WORLD, 2, dims, periods, 0, &cart);
  int status = -1, ndims = -1, got_dims[2], got_periods[2], coords[2], back = -1;
  MPI_Topo_test(cart, &status);
  expect(status == MPI_CART, "topo_test cart", status);
  MPI_Cartdim_get(cart, &ndims);
  expect(ndims == 2, "cartdim_get", ndims);
  MPI_Cart_get(cart, 2, got_dims, got_periods, coords);
  expect(got_dims[0] == dims[0] && got_dims[1] == dims[1], "cart_get dims", got_dims[0]);
  expect(got_periods[0] == 1 && got_periods[1] == 0, "cart_get periods", got_periods[1]);
  expect(coords[0] == rank / dims[1] && coords[1] == rank % dims[1], "cart_get coords", coords[0]);
  MPI_Cart_rank(cart, coords, &back);
  expect(back == rank, "cart_rank of own coords", back);
  int source, dest;
  MPI_Cart_shift(cart, 0, 1, &source, &dest);
  expect(dest == (rank + dims[1]) % size, "cart_shift periodic dest", dest);
  expect(source == (rank - dims[1] + size) % size, "cart_shift periodic source", source);
  MPI_Cart_shift(cart, 1, 1, &source, &dest);
  expect(dest == (coords[1] + 1 < dims[1] ? rank + 1 : MPI_PROC_NULL), "cart_shift open dest", dest);
  expect(source == (coords[1] > 0 ? rank - 1 : MPI_PROC_NULL), "cart_shift open source", source);

  int remain[2] = {0, 1}, row_size = -1, row_rank = -1, row_sum = -1;
  MPI_Comm row;
  MPI_Cart_sub(cart, remain, &row);
  MPI_Comm_size(row, &row_size);
  MPI_Comm_rank(row, &row_rank);
  expect(row_size == dims[1] && row_rank == coords[1], "cart_sub shape", row_size);
  MPI_Allreduce(&rank, &row_sum, 1, MPI_INT, MPI_SUM, row);
  int first = coords[0] * dims[1];
  expect(row_sum == dims[1] * first + dims[1] * (dims[1] - 1) / 2, "allreduce on a cart_sub row", row_sum);
  MPI_Cartdim_get(row, &ndims);
  expect(ndims == 1, "cart_sub keeps one dimension", ndims);

  int out[4], in[4] = {-1, -1, -1, -1};
  for (int j = 0; j < 4; ++j) out[j] = 10 * rank + j;
  MPI_Neighbor_alltoall(out, 1, MPI_INT, in, 1, MPI_INT, cart);
  int below = (rank - dims[1] + size) % size, above = (rank + dims[1]) % size;
  expect(in[0] == 10 * below + 1, "neighbor_alltoall from below", in[0]);
  expect(in[1] == 10 * above + 0, "neighbor_alltoall from above", in[1]);
  expect(in[2] == (coords[1] > 0 ? 10 * (rank - 1) + 3 : -1), "neighbor_alltoall from the left", in[2]);
  expect(in[3] == (coords[1] + 1 < dims[1] ? 10 * (rank + 1) + 2 : -1), "neighbor_alltoall from the right", in[3]);
  MPI_Comm_free(&row);
  MPI_Comm_free(&cart);

  int newrank = -2, two = 2;
  MPI_Cart_map(MPI_COMM_WORLD, 1, &two, periods, &newrank);
  /* Outside the grid the standard says MPI_UNDEFINED; Open MPI 4.1 returns the rank. */
  if (rank < 2) expect(newrank == rank, "cart_map", newrank);
}

/* A periodic ring of two ranks: each is both neighbours of the other. */
static void check_two_ring(void) {
  int two = 2, periodic = 1;
  MPI_Comm ring;
  MPI_Cart_create(MPI_COMM_WORLD, 1, &two, &periodic, 0, &ring);
  if (rank >= 2) {
    expect(ring == MPI_COMM_NULL, "ranks outside the cart get MPI_COMM_NULL", rank);
    return;
  }
  int out[2] = {10 * rank, 10 * rank + 1}, in[2] = {-1, -1}, all[2] = {-1, -1};
  MPI_Neighbor_alltoall(out, 1, MPI_INT, in, 1, MPI_INT, ring);
  expect(in[0] == 10 * (1 - rank) + 1, "two-ring: the lower slot gets the upward block", in[0]);
  expect(in[1] == 10 * (1 - rank), "two-ring: the upper slot gets the downward block", in[1]);
  MPI_Neighbor_allgather(&rank, 1, MPI_INT, all, 1, MPI_INT, ring);
  expect(all[0] == 1 - rank && all[1] == 1 - rank, "two-ring neighbor_allgather", all[0]);
  MPI_Comm_free(&ring);
}

static void check_graph(void) {
  int index[64], edges[128];
  for (int r = 0; r < size; ++r) {
    index[r] = 2 * (r + 1);
    edges[2 * r] = (r + size - 1) % size;
    edges[2 * r + 1] = (r + 1) % size;
  }
  MPI_Comm graph;
  MPI_Graph_create(MPI_COMM_WORLD, size, index, edges, 0, &graph);
  int status = -1, nnodes = -1, nedges = -1, count = -1, neighbors[2], got_index[64], got_edges[128];
  MPI_Topo_test(graph, &status);
  expect(status == MPI_GRAPH, "topo_test graph", status);
  MPI_Graphdims_get(graph, &nnodes, &nedges);
  expect(nnodes == size && nedges == 2 * size, "graphdims_get", nedges);
  MPI_Graph_get(graph, size, 2 * size, got_index, got_edges);
  expect(memcmp(got_index, index, sizeof(int) * size) == 0, "graph_get index", 0);
  expect(memcmp(got_edges, edges, sizeof(int) * 2 * size) == 0, "graph_get edges", 0);
  MPI_Graph_neighbors_count(graph, rank, &count);
  expect(count == 2, "graph_neighbors_count", count);
  MPI_Graph_neighbors(graph, rank, 2, neighbors);
  expect(neighbors[0] == edges[2 * rank] && neighbors[1] == edges[2 * rank + 1], "graph_neighbors", neighbors[0]);
  int values[2] = {-1, -1};
  MPI_Neighbor_allgather(&rank, 1, MPI_INT, values, 1, MPI_INT, graph);
  expect(values[0] == neighbors[0] && values[1] == neighbors[1], "neighbor_allgather on a graph", values[0]);
  MPI_Comm_free(&graph);
  int newrank = -2;
  MPI_Graph_map(MPI_COMM_WORLD, size, index, edges, &newrank);
  expect(newrank == rank, "graph_map", newrank);
}

static void check_dist_graph(void) {
  int source = rank - 1, dest = rank + 1, weight_in = 5, weight_out = 7;
  int indegree = rank > 0, outdegree = rank + 1 < size;
  MPI_Comm chain;
  MPI_Dist_graph_create_adjacent(MPI_COMM_WORLD, indegree, &source, &weight_in, outdegree, &dest, &weight_out,
                                 MPI_INFO_NULL, 0, &chain);
  int status = -1, in = -1, out = -1, weighted = -1;
  MPI_Topo_test(chain, &status);
  expect(status == MPI_DIST_GRAPH, "topo_test dist graph", status);
  MPI_Dist_graph_neighbors_count(chain, &in, &out, &weighted);
  expect(in == indegree && out == outdegree && weighted, "dist_graph_neighbors_count", in);
  int sources[1] = {-1}, source_weights[1] = {-1}, dests[1] = {-1}, dest_weights[1] = {-1};
  MPI_Dist_graph_neighbors(chain, 1, sources, source_weights, 1, dests, dest_weights);
  if (indegree) expect(sources[0] == source && source_weights[0] == 5, "dist_graph_neighbors in", sources[0]);
  if (outdegree) expect(dests[0] == dest && dest_weights[0] == 7, "dist_graph_neighbors out", dests[0]);
  int payload[2] = {100 + rank, 200 + rank}, received[2] = {-1, -1};
  int counts[1] = {2}, displs[1] = {0};
  MPI_Neighbor_alltoallv(payload, counts, displs, MPI_INT, received, counts, displs, MPI_INT, chain);
  if (indegree)
    expect(received[0] == 100 + source && received[1] == 200 + source, "neighbor_alltoallv chain", received[0]);
  MPI_Comm_free(&chain);

  /* Rank 0 declares every edge of a ring r -> r+1 with weight r. */
  int nodes[64], degrees[64], targets[64], weights[64], n = rank == 0 ? size : 0;
  for (int r = 0; r < size; ++r) {
    nodes[r] = r;
    degrees[r] = 1;
    targets[r] = (r + 1) % size;
    weights[r] = r;
  }
  MPI_Comm ring;
  MPI_Dist_graph_create(MPI_COMM_WORLD, n, nodes, degrees, targets, weights, MPI_INFO_NULL, 0, &ring);
  MPI_Dist_graph_neighbors_count(ring, &in, &out, &weighted);
  expect(in == 1 && out == 1 && weighted, "dist_graph_create degrees", in);
  MPI_Dist_graph_neighbors(ring, 1, sources, source_weights, 1, dests, dest_weights);
  int before = (rank + size - 1) % size;
  expect(sources[0] == before && source_weights[0] == before, "dist_graph_create in-edge", sources[0]);
  expect(dests[0] == (rank + 1) % size && dest_weights[0] == rank, "dist_graph_create out-edge", dests[0]);
  int got = -1;
  MPI_Neighbor_allgather(&rank, 1, MPI_INT, &got, 1, MPI_INT, ring);
  expect(got == before, "neighbor_allgather on a dist graph", got);
  int sent = 1000 + rank, late = -1;
  MPI_Request request;
  MPI_Ineighbor_alltoall(&sent, 1, MPI_INT, &late, 1, MPI_INT, ring, &request);
  MPI_Wait(&request, MPI_STATUS_IGNORE);
  expect(late == 1000 + before, "ineighbor_alltoall on a dist graph", late);
  MPI_Comm_free(&ring);
}

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  if (size < 2 || size > 64) {
    if (rank == 0) fprintf(stderr, "needs 2 to 64 ranks\n");
    MPI_Abort(MPI_COMM_WORLD, 2);
  }
  check_cartesian();
  check_two_ring();
  check_graph();
  check_dist_graph();
  MPI_Barrier(MPI_COMM_WORLD);
  printf("rank %d of %d: topology %s\n", rank, size, failures == 0 ? "passed" : "FAILED");
  MPI_Finalize();
  return failures == 0 ? 0 : 1;
}
