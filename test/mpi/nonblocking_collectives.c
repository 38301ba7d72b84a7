/* Nonblocking collectives: many outstanding at once on several communicators, mixed with
   point-to-point, completed in an order different from the one they were started in. */
#include "mpi_check.h"

#include <string.h>

enum { MAX_RANKS = 8, MAX_REQUESTS = 32, N = 4 };

/* Buffers of one round; each operation has its own so all can be in flight together. */
struct Round {
  int root;
  int bcast[N], dup_bcast[N];
  int reduce_in[N], reduce_out[N], allreduce_out[N], dup_allreduce_out[N];
  int gather_out[MAX_RANKS], gatherv_out[2 * MAX_RANKS];
  int scatter_in[MAX_RANKS], scatter_out, scatterv_in[2 * MAX_RANKS], scatterv_out[2];
  int allgather_out[MAX_RANKS], allgatherv_out[2 * MAX_RANKS], reversed_allgather_out[MAX_RANKS];
  int alltoall_in[MAX_RANKS], alltoall_out[MAX_RANKS];
  int alltoallv_in[2 * MAX_RANKS], alltoallv_out[2 * MAX_RANKS];
  int counts[MAX_RANKS], displs[MAX_RANKS], pair_counts[MAX_RANKS];
  int ring_in, ring_out;
  MPI_Request requests[MAX_REQUESTS];
  int request_count;
};

static MPI_Comm dup_world;
static MPI_Comm reversed;

static int value(int rank, int round, int k) { return rank * 1000 + round * 10 + k; }

static MPI_Request *next_request(struct Round *r) {
  CHECK(r->request_count < MAX_REQUESTS, "too many requests");
  return &r->requests[r->request_count++];
}

static void prepare(struct Round *r, int round, int rank, int size) {
  memset(r, 0, sizeof *r);
  r->root = round % size;
  for (int k = 0; k < N; ++k) {
    r->bcast[k] = rank == r->root ? value(r->root, round, k) : -1;
    r->dup_bcast[k] = rank == (r->root + 1) % size ? value(r->root + 1, round, k) : -1;
    r->reduce_in[k] = value(rank, round, k);
  }
  for (int p = 0; p < size; ++p) {
    r->counts[p] = p % 2 + 1;
    r->displs[p] = 2 * p;
    r->pair_counts[p] = (rank + p) % 2 + 1;
    r->scatter_in[p] = value(p, round, 0);
    r->scatterv_in[2 * p] = value(p, round, 0);
    r->scatterv_in[2 * p + 1] = value(p, round, 1);
    r->alltoall_in[p] = value(rank, round, p);
    r->alltoallv_in[2 * p] = value(rank, round, p);
    r->alltoallv_in[2 * p + 1] = value(rank, round, p + 1);
  }
  r->ring_out = value(rank, round, 9);
}

static void start_rooted(struct Round *r, int rank) {
  int root = r->root;
  CHECK_MPI(MPI_Ibcast(r->bcast, N, MPI_INT, root, MPI_COMM_WORLD, next_request(r)));
  CHECK_MPI(MPI_Ireduce(r->reduce_in, r->reduce_out, N, MPI_INT, MPI_SUM, root, MPI_COMM_WORLD,
                        next_request(r)));
  CHECK_MPI(MPI_Igather(&r->reduce_in[0], 1, MPI_INT, r->gather_out, 1, MPI_INT, root,
                        MPI_COMM_WORLD, next_request(r)));
  CHECK_MPI(MPI_Igatherv(r->reduce_in, r->counts[rank], MPI_INT, r->gatherv_out, r->counts,
                         r->displs, MPI_INT, root, MPI_COMM_WORLD, next_request(r)));
  CHECK_MPI(MPI_Iscatter(r->scatter_in, 1, MPI_INT, &r->scatter_out, 1, MPI_INT, root,
                         MPI_COMM_WORLD, next_request(r)));
  CHECK_MPI(MPI_Iscatterv(r->scatterv_in, r->counts, r->displs, MPI_INT, r->scatterv_out,
                          r->counts[rank], MPI_INT, root, MPI_COMM_WORLD, next_request(r)));
}

static void start_unrooted(struct Round *r, int rank, int size) {
  int next = (rank + 1) % size;
  int prev = (rank + size - 1) % size;
  CHECK_MPI(MPI_Irecv(&r->ring_in, 1, MPI_INT, prev, 5, MPI_COMM_WORLD, next_request(r)));
  CHECK_MPI(MPI_Ibarrier(MPI_COMM_WORLD, next_request(r)));
  CHECK_MPI(MPI_Iallreduce(r->reduce_in, r->allreduce_out, N, MPI_INT, MPI_MAX, MPI_COMM_WORLD,
                           next_request(r)));
  CHECK_MPI(MPI_Iallreduce(r->reduce_in, r->dup_allreduce_out, N, MPI_INT, MPI_SUM, dup_world,
                           next_request(r)));
  CHECK_MPI(MPI_Ibcast(r->dup_bcast, N, MPI_INT, (r->root + 1) % size, dup_world,
                       next_request(r)));
  CHECK_MPI(MPI_Isend(&r->ring_out, 1, MPI_INT, next, 5, MPI_COMM_WORLD, next_request(r)));
  CHECK_MPI(MPI_Iallgather(&r->reduce_in[0], 1, MPI_INT, r->allgather_out, 1, MPI_INT,
                           MPI_COMM_WORLD, next_request(r)));
  CHECK_MPI(MPI_Iallgather(&r->reduce_in[0], 1, MPI_INT, r->reversed_allgather_out, 1, MPI_INT,
                           reversed, next_request(r)));
  CHECK_MPI(MPI_Iallgatherv(r->reduce_in, r->counts[rank], MPI_INT, r->allgatherv_out,
                            r->counts, r->displs, MPI_INT, MPI_COMM_WORLD, next_request(r)));
  CHECK_MPI(MPI_Ialltoall(r->alltoall_in, 1, MPI_INT, r->alltoall_out, 1, MPI_INT,
                          MPI_COMM_WORLD, next_request(r)));
  CHECK_MPI(MPI_Ialltoallv(r->alltoallv_in, r->pair_counts, r->displs, MPI_INT,
                           r->alltoallv_out, r->pair_counts, r->displs, MPI_INT, dup_world,
                           next_request(r)));
}

static void verify_rooted(const struct Round *r, int round, int rank, int size) {
  for (int k = 0; k < N; ++k) CHECK_INT(r->bcast[k], value(r->root, round, k), "ibcast");
  CHECK_INT(r->scatter_out, value(rank, round, 0), "iscatter");
  for (int k = 0; k < r->counts[rank]; ++k)
    CHECK_INT(r->scatterv_out[k], value(rank, round, k), "iscatterv");
  if (rank != r->root) return;
  for (int k = 0; k < N; ++k) {
    int sum = 0;
    for (int p = 0; p < size; ++p) sum += value(p, round, k);
    CHECK_INT(r->reduce_out[k], sum, "ireduce");
  }
  for (int p = 0; p < size; ++p) {
    CHECK_INT(r->gather_out[p], value(p, round, 0), "igather");
    for (int k = 0; k < r->counts[p]; ++k)
      CHECK_INT(r->gatherv_out[2 * p + k], value(p, round, k), "igatherv");
  }
}

static void verify_unrooted(const struct Round *r, int round, int rank, int size) {
  CHECK_INT(r->ring_in, value((rank + size - 1) % size, round, 9), "overlapped p2p");
  for (int k = 0; k < N; ++k) {
    int sum = 0;
    for (int p = 0; p < size; ++p) sum += value(p, round, k);
    CHECK_INT(r->allreduce_out[k], value(size - 1, round, k), "iallreduce max");
    CHECK_INT(r->dup_allreduce_out[k], sum, "iallreduce sum on a dup");
    CHECK_INT(r->dup_bcast[k], value(r->root + 1, round, k), "ibcast on a dup");
  }
  for (int p = 0; p < size; ++p) {
    CHECK_INT(r->allgather_out[p], value(p, round, 0), "iallgather");
    CHECK_INT(r->reversed_allgather_out[p], value(size - 1 - p, round, 0),
              "iallgather on a reversed comm");
    CHECK_INT(r->alltoall_out[p], value(p, round, rank), "ialltoall");
    for (int k = 0; k < r->counts[p]; ++k)
      CHECK_INT(r->allgatherv_out[2 * p + k], value(p, round, k), "iallgatherv");
    for (int k = 0; k < r->pair_counts[p]; ++k)
      CHECK_INT(r->alltoallv_out[2 * p + k], value(p, round, rank + k), "ialltoallv");
  }
}

static const char *const completion_names[3] = {"wait in reverse", "waitall rotated",
                                                 "testany"};

static void complete(struct Round *r, int how) {
  int n = r->request_count;
  if (how == 0) {
    for (int i = n - 1; i >= 0; --i) CHECK_MPI(MPI_Wait(&r->requests[i], MPI_STATUS_IGNORE));
    return;
  }
  if (how == 1) {
    MPI_Request rotated[MAX_REQUESTS + 1];
    for (int i = 0; i < n; ++i) rotated[i] = r->requests[(i + n / 2) % n];
    rotated[n] = MPI_REQUEST_NULL;
    CHECK_MPI(MPI_Waitall(n + 1, rotated, MPI_STATUSES_IGNORE));
    return;
  }
  for (int done = 0; done < n;) {
    int index = MPI_UNDEFINED;
    int flag = 0;
    CHECK_MPI(MPI_Testany(n, r->requests, &index, &flag, MPI_STATUS_IGNORE));
    if (flag) {
      CHECK(index != MPI_UNDEFINED, "Testany reported no active request too early");
      ++done;
    }
  }
}

static void run_round(int round, int rank, int size) {
  struct Round r;
  prepare(&r, round, rank, size);
  start_rooted(&r, rank);
  start_unrooted(&r, rank, size);
  complete(&r, round % 3);
  verify_rooted(&r, round, rank, size);
  verify_unrooted(&r, round, rank, size);
  if (rank == 0)
    out("round %d, root %d, %d requests, %s: ok", round, r.root, r.request_count,
        completion_names[round % 3]);
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank = world_rank();
  int size = world_size();
  CHECK(size <= MAX_RANKS, "at most %d ranks supported", MAX_RANKS);
  CHECK_MPI(MPI_Comm_dup(MPI_COMM_WORLD, &dup_world));
  CHECK_MPI(MPI_Comm_split(MPI_COMM_WORLD, 0, size - rank, &reversed));
  if (rank == 0) out("world size %d", size);
  for (int round = 0; round < 2 * size + 1; ++round) run_round(round, rank, size);
  CHECK_MPI(MPI_Comm_free(&dup_world));
  CHECK_MPI(MPI_Comm_free(&reversed));
  out("all rounds verified on this rank");
  finish("nonblocking_collectives");
  return 0;
}
