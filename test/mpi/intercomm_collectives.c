/* Collectives on intercommunicators: every one of MPI-3, blocking and nonblocking, on an
   intercommunicator between the even and the odd ranks of MPI_COMM_WORLD and on one between
   world rank 0 and the others (groups of different sizes). Rooted collectives run with each
   rank of each group as the root (MPI_ROOT there, MPI_PROC_NULL beside it); data of several
   datatypes, a large message, and a non-commutative user-defined operation. Then the
   erroneous calls Open MPI answers with an error: Scan on an intercommunicator, MPI_IN_PLACE,
   a root out of range. */
#include <stdlib.h>
#include <string.h>

#include "mpi_check.h"

enum { MAX_RANKS = 8, N = 5, BIG = 40000, SCATTER_TOTAL = 12, BLOCK_TOTAL = 6, MAX_REQUESTS = 40 };

struct Inter {
  MPI_Comm comm;
  const char *name;
  int group; /* 0 or 1: the group this rank is in */
  int rank, size, remote_size;
};

/* Shared by every call: datatypes and the user-defined operation. */
static MPI_Datatype strided; /* ints 0, 2 and 4 of 6 */
static MPI_Datatype pair;    /* 2 contiguous ints */
static MPI_Datatype matrix;  /* a 2x2 int matrix */
static MPI_Op product;       /* matrix product: not commutative */

static int value(int group, int rank, int k) { return group * 10000 + rank * 100 + k; }

/* What rank `from` of group `group` sends rank `to` of the other group in an all-to-all. */
static int pair_item(int group, int from, int to, int k) { return group * 10000 + from * 1000 + to * 10 + k; }

static unsigned checksum(const void *data, size_t bytes) {
  const unsigned char *p = data;
  unsigned sum = 0;
  for (size_t i = 0; i < bytes; ++i) sum = sum * 31u + p[i];
  return sum;
}

static void matrix_product(void *in, void *inout, int *len, MPI_Datatype *type) {
  (void)type;
  for (int m = 0; m < *len; ++m) {
    const int *a = (const int *)in + 4 * m;
    int *b = (int *)inout + 4 * m;
    int c[4] = {a[0] * b[0] + a[1] * b[2], a[0] * b[1] + a[1] * b[3], a[2] * b[0] + a[3] * b[2],
                a[2] * b[1] + a[3] * b[3]};
    memcpy(b, c, sizeof c);
  }
}

static void rank_matrix(int group, int rank, int *m) {
  m[0] = rank + 1 + group;
  m[1] = 1;
  m[2] = group + 1;
  m[3] = (rank + group) % 2;
}

/* The product of the matrices of ranks 0..size-1 of `group`, in rank order. */
static void group_product(int group, int size, int *result) {
  rank_matrix(group, 0, result);
  for (int r = 1; r < size; ++r) {
    int m[4];
    rank_matrix(group, r, m);
    matrix_product(result, m, &(int){1}, NULL);
    memcpy(result, m, sizeof m);
  }
}

static int group_sum(int group, int size, int k) {
  int sum = 0;
  for (int r = 0; r < size; ++r) sum += value(group, r, k);
  return sum;
}

static int loc_value(int group, int rank, int k) { return (rank * 5 + k * 3 + group) % 7; }

/* Reduce_scatter's counts in a group of `size`: uneven, SCATTER_TOTAL in all. */
static int scatter_count(int size, int rank) {
  return SCATTER_TOTAL * (rank + 1) * (rank + 1) / (size * size) - SCATTER_TOTAL * rank * rank / (size * size);
}

/* Buffers of one round of every collective; all may be in flight together. */
struct Round {
  int root_group, root, root_arg;
  int bcast_ints[N], bcast_strided[6], *bcast_big;
  double bcast_doubles[3];
  int reduce_in[N], reduce_out[N], matrix_in[4], matrix_out[4], loc_in[N][2], loc_out[N][2];
  double max_in[3], max_out[3];
  int gather_in[3], gather_out[2 * MAX_RANKS], gatherv_out[4 * MAX_RANKS];
  int scatter_in[4 * MAX_RANKS], scatter_out[4], scatterv_out[3];
  int rooted_counts[MAX_RANKS], rooted_displs[MAX_RANKS];
  int allreduce_out[N], allmatrix_out[4];
  double *big_in, *big_out;
  int allgather_in[3], allgather_out[3 * MAX_RANKS], allgatherv_out[4 * MAX_RANKS];
  int alltoall_in[2 * MAX_RANKS], alltoall_out[2 * MAX_RANKS];
  int alltoallv_in[3 * MAX_RANKS], alltoallv_out[3 * MAX_RANKS];
  int send_counts[MAX_RANKS], receive_counts[MAX_RANKS], displs[MAX_RANKS];
  double alltoallw_in[3 * MAX_RANKS], alltoallw_out[3 * MAX_RANKS];
  int w_bytes[MAX_RANKS];
  MPI_Datatype w_types[MAX_RANKS];
  int rs_in[SCATTER_TOTAL], rs_out[SCATTER_TOTAL], rs_counts[MAX_RANKS];
  int rsb_in[BLOCK_TOTAL], rsb_out[BLOCK_TOTAL];
  int dup_allreduce_out[N];
  MPI_Request requests[MAX_REQUESTS];
  int request_count;
};

/* The request of the next nonblocking call, or NULL for blocking calls. */
static MPI_Request *next_request(struct Round *r, int nonblocking) {
  if (!nonblocking) return NULL;
  CHECK(r->request_count < MAX_REQUESTS, "too many requests");
  return &r->requests[r->request_count++];
}

static void prepare(struct Round *r, const struct Inter *x, int root_group, int root) {
  int *big = r->bcast_big;
  double *big_in = r->big_in, *big_out = r->big_out;
  memset(r, 0xff, sizeof *r);
  r->bcast_big = big;
  r->big_in = big_in;
  r->big_out = big_out;
  r->request_count = 0;
  r->root_group = root_group;
  r->root = root;
  r->root_arg = x->group != root_group ? root : x->rank == root ? MPI_ROOT : MPI_PROC_NULL;
  const int g = x->group, me = x->rank, sending_root = r->root_arg == MPI_ROOT;
  for (int k = 0; k < N; ++k) {
    r->bcast_ints[k] = sending_root ? value(g, me, k) : -1;
    r->reduce_in[k] = value(g, me, k);
    r->loc_in[k][0] = loc_value(g, me, k);
    r->loc_in[k][1] = me;
  }
  for (int k = 0; k < 6; ++k) r->bcast_strided[k] = sending_root && k % 2 == 0 ? value(g, me, k) : -1;
  for (int k = 0; k < 3; ++k) {
    r->bcast_doubles[k] = sending_root ? value(g, me, k) + 0.25 : -1.0;
    r->max_in[k] = ((me * 3 + k + g) % 5) * 0.5;
    r->gather_in[k] = value(g, me, k);
    r->allgather_in[k] = value(g, me, k);
  }
  for (int i = 0; i < BIG; ++i) {
    big[i] = sending_root ? value(g, me, i) : -1;
    big_in[i] = (me + 1) * (i % 7) + g;
  }
  rank_matrix(g, me, r->matrix_in);
  for (int p = 0; p < x->remote_size; ++p) {
    r->rooted_counts[p] = p % 3 + 1;
    r->rooted_displs[p] = 4 * p;
    for (int k = 0; k < 4; ++k) r->scatter_in[4 * p + k] = 1000 * (me + 1) + 10 * p + k;
    r->send_counts[p] = (me + p) % 3 + 1;
    r->receive_counts[p] = (p + me) % 3 + 1;
    r->displs[p] = 3 * p;
    r->w_bytes[p] = 3 * (int)sizeof(double) * p;
    r->w_types[p] = (me + p) % 2 ? MPI_DOUBLE : MPI_INT;
    for (int k = 0; k < 1 + g; ++k) r->alltoall_in[(1 + g) * p + k] = pair_item(g, me, p, k);
    for (int k = 0; k < 3; ++k) {
      r->alltoallv_in[3 * p + k] = pair_item(g, me, p, k);
      if (r->w_types[p] == MPI_DOUBLE) {
        r->alltoallw_in[3 * p + k] = pair_item(g, me, p, k) + 0.5;
      } else {
        int item = pair_item(g, me, p, k);
        memcpy((char *)&r->alltoallw_in[3 * p] + sizeof(int) * (size_t)k, &item, sizeof item);
      }
    }
  }
  for (int i = 0; i < x->size; ++i) r->rs_counts[i] = scatter_count(x->size, i);
  for (int k = 0; k < SCATTER_TOTAL; ++k) r->rs_in[k] = value(g, me, k);
  for (int k = 0; k < BLOCK_TOTAL; ++k) r->rsb_in[k] = (me * 7 + k * 5 + g) % 11;
}

static void start_rooted(struct Round *r, const struct Inter *x, int nb) {
  const int root = r->root_arg;
  MPI_Comm c = x->comm;
  MPI_Request *q;
  if ((q = next_request(r, nb))) CHECK_MPI(MPI_Ibcast(r->bcast_ints, N, MPI_INT, root, c, q));
  else CHECK_MPI(MPI_Bcast(r->bcast_ints, N, MPI_INT, root, c));
  if ((q = next_request(r, nb))) CHECK_MPI(MPI_Ibcast(r->bcast_doubles, 3, MPI_DOUBLE, root, c, q));
  else CHECK_MPI(MPI_Bcast(r->bcast_doubles, 3, MPI_DOUBLE, root, c));
  if ((q = next_request(r, nb))) CHECK_MPI(MPI_Ibcast(r->bcast_strided, 1, strided, root, c, q));
  else CHECK_MPI(MPI_Bcast(r->bcast_strided, 1, strided, root, c));
  if ((q = next_request(r, nb))) CHECK_MPI(MPI_Ibcast(r->bcast_big, BIG, MPI_INT, root, c, q));
  else CHECK_MPI(MPI_Bcast(r->bcast_big, BIG, MPI_INT, root, c));

  if ((q = next_request(r, nb))) CHECK_MPI(MPI_Ireduce(r->reduce_in, r->reduce_out, N, MPI_INT, MPI_SUM, root, c, q));
  else CHECK_MPI(MPI_Reduce(r->reduce_in, r->reduce_out, N, MPI_INT, MPI_SUM, root, c));
  if ((q = next_request(r, nb))) CHECK_MPI(MPI_Ireduce(r->max_in, r->max_out, 3, MPI_DOUBLE, MPI_MAX, root, c, q));
  else CHECK_MPI(MPI_Reduce(r->max_in, r->max_out, 3, MPI_DOUBLE, MPI_MAX, root, c));
  if ((q = next_request(r, nb))) CHECK_MPI(MPI_Ireduce(r->matrix_in, r->matrix_out, 1, matrix, product, root, c, q));
  else CHECK_MPI(MPI_Reduce(r->matrix_in, r->matrix_out, 1, matrix, product, root, c));
  if ((q = next_request(r, nb))) CHECK_MPI(MPI_Ireduce(r->loc_in, r->loc_out, N, MPI_2INT, MPI_MINLOC, root, c, q));
  else CHECK_MPI(MPI_Reduce(r->loc_in, r->loc_out, N, MPI_2INT, MPI_MINLOC, root, c));

  /* Counts and types differ between sender and receiver where the type signatures agree:
     a gather sends 2 ints and receives 1 pair, a scatter sends 4 ints and receives 2 pairs. */
  if ((q = next_request(r, nb)))
    CHECK_MPI(MPI_Igather(r->gather_in, 2, MPI_INT, r->gather_out, 1, pair, root, c, q));
  else CHECK_MPI(MPI_Gather(r->gather_in, 2, MPI_INT, r->gather_out, 1, pair, root, c));
  const int mine = x->rank % 3 + 1;
  if ((q = next_request(r, nb)))
    CHECK_MPI(MPI_Igatherv(r->gather_in, mine, MPI_INT, r->gatherv_out, r->rooted_counts, r->rooted_displs, MPI_INT,
                           root, c, q));
  else CHECK_MPI(MPI_Gatherv(r->gather_in, mine, MPI_INT, r->gatherv_out, r->rooted_counts, r->rooted_displs,
                             MPI_INT, root, c));
  if ((q = next_request(r, nb)))
    CHECK_MPI(MPI_Iscatter(r->scatter_in, 4, MPI_INT, r->scatter_out, 2, pair, root, c, q));
  else CHECK_MPI(MPI_Scatter(r->scatter_in, 4, MPI_INT, r->scatter_out, 2, pair, root, c));
  if ((q = next_request(r, nb)))
    CHECK_MPI(MPI_Iscatterv(r->scatter_in, r->rooted_counts, r->rooted_displs, MPI_INT, r->scatterv_out, mine,
                            MPI_INT, root, c, q));
  else CHECK_MPI(MPI_Scatterv(r->scatter_in, r->rooted_counts, r->rooted_displs, MPI_INT, r->scatterv_out, mine,
                              MPI_INT, root, c));
}

/* Counts differ between the groups where they may: group 0 sends 2 ints in an allgather and
   1 per peer in an alltoall, group 1 sends 3 and 2. */
static void start_symmetric(struct Round *r, const struct Inter *x, MPI_Comm dup, int nb) {
  MPI_Comm c = x->comm;
  MPI_Request *q;
  const int g = x->group;
  if ((q = next_request(r, nb))) CHECK_MPI(MPI_Ibarrier(c, q));
  else CHECK_MPI(MPI_Barrier(c));
  if ((q = next_request(r, nb)))
    CHECK_MPI(MPI_Iallreduce(r->reduce_in, r->allreduce_out, N, MPI_INT, MPI_SUM, c, q));
  else CHECK_MPI(MPI_Allreduce(r->reduce_in, r->allreduce_out, N, MPI_INT, MPI_SUM, c));
  if ((q = next_request(r, nb)))
    CHECK_MPI(MPI_Iallreduce(r->matrix_in, r->allmatrix_out, 1, matrix, product, c, q));
  else CHECK_MPI(MPI_Allreduce(r->matrix_in, r->allmatrix_out, 1, matrix, product, c));
  if ((q = next_request(r, nb))) CHECK_MPI(MPI_Iallreduce(r->big_in, r->big_out, BIG, MPI_DOUBLE, MPI_SUM, c, q));
  else CHECK_MPI(MPI_Allreduce(r->big_in, r->big_out, BIG, MPI_DOUBLE, MPI_SUM, c));
  if ((q = next_request(r, nb)))
    CHECK_MPI(MPI_Iallreduce(r->reduce_in, r->dup_allreduce_out, N, MPI_INT, MPI_MAX, dup, q));
  else CHECK_MPI(MPI_Allreduce(r->reduce_in, r->dup_allreduce_out, N, MPI_INT, MPI_MAX, dup));

  if ((q = next_request(r, nb)))
    CHECK_MPI(MPI_Iallgather(r->allgather_in, 2 + g, MPI_INT, r->allgather_out, 3 - g, MPI_INT, c, q));
  else CHECK_MPI(MPI_Allgather(r->allgather_in, 2 + g, MPI_INT, r->allgather_out, 3 - g, MPI_INT, c));
  if ((q = next_request(r, nb)))
    CHECK_MPI(MPI_Iallgatherv(r->allgather_in, x->rank % 3 + 1, MPI_INT, r->allgatherv_out, r->rooted_counts,
                              r->rooted_displs, MPI_INT, c, q));
  else CHECK_MPI(MPI_Allgatherv(r->allgather_in, x->rank % 3 + 1, MPI_INT, r->allgatherv_out, r->rooted_counts,
                                r->rooted_displs, MPI_INT, c));
  if ((q = next_request(r, nb)))
    CHECK_MPI(MPI_Ialltoall(r->alltoall_in, 1 + g, MPI_INT, r->alltoall_out, 2 - g, MPI_INT, c, q));
  else CHECK_MPI(MPI_Alltoall(r->alltoall_in, 1 + g, MPI_INT, r->alltoall_out, 2 - g, MPI_INT, c));
  if ((q = next_request(r, nb)))
    CHECK_MPI(MPI_Ialltoallv(r->alltoallv_in, r->send_counts, r->displs, MPI_INT, r->alltoallv_out,
                             r->receive_counts, r->displs, MPI_INT, c, q));
  else CHECK_MPI(MPI_Alltoallv(r->alltoallv_in, r->send_counts, r->displs, MPI_INT, r->alltoallv_out,
                               r->receive_counts, r->displs, MPI_INT, c));
  if ((q = next_request(r, nb)))
    CHECK_MPI(MPI_Ialltoallw(r->alltoallw_in, r->send_counts, r->w_bytes, r->w_types, r->alltoallw_out,
                             r->receive_counts, r->w_bytes, r->w_types, c, q));
  else CHECK_MPI(MPI_Alltoallw(r->alltoallw_in, r->send_counts, r->w_bytes, r->w_types, r->alltoallw_out,
                               r->receive_counts, r->w_bytes, r->w_types, c));

  if ((q = next_request(r, nb)))
    CHECK_MPI(MPI_Ireduce_scatter(r->rs_in, r->rs_out, r->rs_counts, MPI_INT, MPI_SUM, c, q));
  else CHECK_MPI(MPI_Reduce_scatter(r->rs_in, r->rs_out, r->rs_counts, MPI_INT, MPI_SUM, c));
  if (BLOCK_TOTAL % x->size == 0 && BLOCK_TOTAL % x->remote_size == 0) {
    const int block = BLOCK_TOTAL / x->size;
    if ((q = next_request(r, nb)))
      CHECK_MPI(MPI_Ireduce_scatter_block(r->rsb_in, r->rsb_out, block, MPI_INT, MPI_MAX, c, q));
    else CHECK_MPI(MPI_Reduce_scatter_block(r->rsb_in, r->rsb_out, block, MPI_INT, MPI_MAX, c));
  }
}

/* Checks what the rooted calls left; returns a checksum of it. */
static unsigned verify_rooted(const struct Round *r, const struct Inter *x) {
  const int remote = 1 - x->group, me = x->rank;
  if (r->root_arg == MPI_PROC_NULL) {
    /* Nothing arrives beside the root. */
    for (int k = 0; k < N; ++k) CHECK_INT(r->bcast_ints[k], -1, "no bcast beside the root");
    CHECK_INT(r->bcast_big[BIG - 1], -1, "no large bcast beside the root");
    CHECK_INT(r->scatter_out[0], -1, "no scatter beside the root");
    return 0;
  }
  unsigned sum = 0;
  if (r->root_arg == MPI_ROOT) {
    for (int k = 0; k < N; ++k) CHECK_INT(r->reduce_out[k], group_sum(remote, x->remote_size, k), "reduce sum");
    int want[4];
    group_product(remote, x->remote_size, want);
    CHECK(memcmp(r->matrix_out, want, sizeof want) == 0, "reduce with a non-commutative user op");
    for (int k = 0; k < N; ++k) {
      int best = 0;
      for (int p = 1; p < x->remote_size; ++p)
        if (loc_value(remote, p, k) < loc_value(remote, best, k)) best = p;
      CHECK_INT(r->loc_out[k][0], loc_value(remote, best, k), "minloc value");
      CHECK_INT(r->loc_out[k][1], best, "minloc index");
    }
    for (int k = 0; k < 3; ++k) {
      double most = 0;
      for (int p = 0; p < x->remote_size; ++p)
        if (((p * 3 + k + remote) % 5) * 0.5 > most) most = ((p * 3 + k + remote) % 5) * 0.5;
      CHECK(r->max_out[k] == most, "reduce max of doubles");
    }
    for (int p = 0; p < x->remote_size; ++p) {
      for (int k = 0; k < 2; ++k) CHECK_INT(r->gather_out[2 * p + k], value(remote, p, k), "gather");
      for (int k = 0; k < 4; ++k)
        CHECK_INT(r->gatherv_out[4 * p + k], k < p % 3 + 1 ? value(remote, p, k) : -1, "gatherv");
    }
    sum = checksum(r->reduce_out, sizeof r->reduce_out) ^ checksum(r->matrix_out, sizeof r->matrix_out) ^
          checksum(r->loc_out, sizeof r->loc_out) ^ checksum(r->max_out, sizeof r->max_out) ^
          checksum(r->gather_out, sizeof(int) * 2 * (size_t)x->remote_size) ^
          checksum(r->gatherv_out, sizeof(int) * 4 * (size_t)x->remote_size);
    return sum;
  }
  /* The group facing the root: what it broadcast and scattered. */
  const int g = r->root_group, root = r->root;
  for (int k = 0; k < N; ++k) CHECK_INT(r->bcast_ints[k], value(g, root, k), "bcast ints");
  for (int k = 0; k < 3; ++k) CHECK(r->bcast_doubles[k] == value(g, root, k) + 0.25, "bcast doubles");
  for (int k = 0; k < 6; ++k)
    CHECK_INT(r->bcast_strided[k], k % 2 == 0 ? value(g, root, k) : -1, "bcast of a strided type");
  for (int i = 0; i < BIG; i += 97) CHECK_INT(r->bcast_big[i], value(g, root, i), "large bcast");
  CHECK_INT(r->bcast_big[BIG - 1], value(g, root, BIG - 1), "large bcast");
  for (int k = 0; k < 4; ++k) CHECK_INT(r->scatter_out[k], 1000 * (root + 1) + 10 * me + k, "scatter");
  for (int k = 0; k < 3; ++k)
    CHECK_INT(r->scatterv_out[k], k < me % 3 + 1 ? 1000 * (root + 1) + 10 * me + k : -1, "scatterv");
  sum = checksum(r->bcast_ints, sizeof r->bcast_ints) ^ checksum(r->bcast_doubles, sizeof r->bcast_doubles) ^
        checksum(r->bcast_strided, sizeof r->bcast_strided) ^ checksum(r->bcast_big, sizeof(int) * BIG) ^
        checksum(r->scatter_out, sizeof r->scatter_out) ^ checksum(r->scatterv_out, sizeof r->scatterv_out);
  return sum;
}

static unsigned verify_allreduce(const struct Round *r, const struct Inter *x) {
  const int remote = 1 - x->group;
  for (int k = 0; k < N; ++k) {
    CHECK_INT(r->allreduce_out[k], group_sum(remote, x->remote_size, k), "allreduce sum");
    CHECK_INT(r->dup_allreduce_out[k], value(remote, x->remote_size - 1, k), "allreduce max on a dup");
  }
  int want[4];
  group_product(remote, x->remote_size, want);
  CHECK(memcmp(r->allmatrix_out, want, sizeof want) == 0, "allreduce with a non-commutative user op");
  for (int i = 0; i < BIG; ++i) {
    double total = 0;
    for (int p = 0; p < x->remote_size; ++p) total += (p + 1) * (i % 7) + remote;
    CHECK(r->big_out[i] == total, "large allreduce at %d", i);
  }
  return checksum(r->allreduce_out, sizeof r->allreduce_out) ^ checksum(r->allmatrix_out, sizeof want) ^
         checksum(r->big_out, sizeof(double) * BIG);
}

static unsigned verify_gathers(const struct Round *r, const struct Inter *x) {
  const int remote = 1 - x->group, me = x->rank, width = 3 - x->group;
  for (int p = 0; p < x->remote_size; ++p) {
    for (int k = 0; k < width; ++k) CHECK_INT(r->allgather_out[width * p + k], value(remote, p, k), "allgather");
    for (int k = 0; k < 4; ++k)
      CHECK_INT(r->allgatherv_out[4 * p + k], k < p % 3 + 1 ? value(remote, p, k) : -1, "allgatherv");
    for (int k = 0; k < 2 - x->group; ++k)
      CHECK_INT(r->alltoall_out[(2 - x->group) * p + k], pair_item(remote, p, me, k), "alltoall");
    for (int k = 0; k < 3; ++k) {
      const int received = k < r->receive_counts[p];
      CHECK_INT(r->alltoallv_out[3 * p + k], received ? pair_item(remote, p, me, k) : -1, "alltoallv");
      if (!received) continue;
      if (r->w_types[p] == MPI_DOUBLE) {
        CHECK(r->alltoallw_out[3 * p + k] == pair_item(remote, p, me, k) + 0.5, "alltoallw doubles");
      } else {
        int item;
        memcpy(&item, (const char *)&r->alltoallw_out[3 * p] + sizeof(int) * (size_t)k, sizeof item);
        CHECK_INT(item, pair_item(remote, p, me, k), "alltoallw ints");
      }
    }
  }
  const size_t peers = (size_t)x->remote_size;
  return checksum(r->allgather_out, sizeof(int) * (size_t)width * peers) ^
         checksum(r->allgatherv_out, sizeof(int) * 4 * peers) ^
         checksum(r->alltoall_out, sizeof(int) * (size_t)(2 - x->group) * peers) ^
         checksum(r->alltoallv_out, sizeof(int) * 3 * peers);
}

static unsigned verify_reduce_scatter(const struct Round *r, const struct Inter *x) {
  const int remote = 1 - x->group, me = x->rank;
  int offset = 0;
  for (int i = 0; i < me; ++i) offset += r->rs_counts[i];
  for (int k = 0; k < r->rs_counts[me]; ++k)
    CHECK_INT(r->rs_out[k], group_sum(remote, x->remote_size, offset + k), "reduce_scatter");
  unsigned sum = checksum(r->rs_out, sizeof(int) * (size_t)r->rs_counts[me]);
  if (BLOCK_TOTAL % x->size == 0 && BLOCK_TOTAL % x->remote_size == 0) {
    const int block = BLOCK_TOTAL / x->size;
    for (int k = 0; k < block; ++k) {
      int most = 0;
      for (int p = 0; p < x->remote_size; ++p) {
        int v = (p * 7 + (me * block + k) * 5 + remote) % 11;
        if (v > most) most = v;
      }
      CHECK_INT(r->rsb_out[k], most, "reduce_scatter_block");
    }
    sum ^= checksum(r->rsb_out, sizeof(int) * (size_t)block);
  }
  return sum;
}

static void complete(struct Round *r, int round) {
  /* Alternate: test the last request until it completes, then wait for all; or wait for
     them one by one from the last. */
  if (round % 2 == 0) {
    int done = 0;
    while (!done) CHECK_MPI(MPI_Test(&r->requests[r->request_count - 1], &done, MPI_STATUS_IGNORE));
    CHECK_MPI(MPI_Waitall(r->request_count, r->requests, MPI_STATUSES_IGNORE));
  } else {
    for (int i = r->request_count - 1; i >= 0; --i) CHECK_MPI(MPI_Wait(&r->requests[i], MPI_STATUS_IGNORE));
  }
}

static void run_rounds(const struct Inter *x, int nonblocking) {
  struct Round *r = malloc(sizeof *r);
  r->bcast_big = malloc(sizeof(int) * BIG);
  r->big_in = malloc(sizeof(double) * BIG);
  r->big_out = malloc(sizeof(double) * BIG);
  MPI_Comm dup;
  CHECK_MPI(MPI_Comm_dup(x->comm, &dup));
  int round = 0;
  for (int root_group = 0; root_group < 2; ++root_group) {
    const int roots = x->group == root_group ? x->size : x->remote_size;
    for (int root = 0; root < roots; ++root, ++round) {
      prepare(r, x, root_group, root);
      start_rooted(r, x, nonblocking);
      start_symmetric(r, x, dup, nonblocking);
      if (nonblocking) complete(r, round);
      const unsigned rooted = verify_rooted(r, x);
      const unsigned symmetric = verify_allreduce(r, x) ^ verify_gathers(r, x) ^ verify_reduce_scatter(r, x);
      const char *part = r->root_arg == MPI_ROOT ? "root" : r->root_arg == MPI_PROC_NULL ? "idle" : "facing";
      out("%s %s root %d.%d: %s %08x, symmetric %08x", x->name, nonblocking ? "nonblocking" : "blocking",
          root_group, root, part, rooted, symmetric);
    }
  }
  CHECK_MPI(MPI_Comm_free(&dup));
  free(r->bcast_big);
  free(r->big_in);
  free(r->big_out);
  free(r);
}

static int error_class(int code) {
  int cls = code;
  if (code != MPI_SUCCESS) MPI_Error_class(code, &cls);
  return cls;
}

static void expect_error(const struct Inter *x, int code, int expected, const char *what) {
  CHECK_INT(error_class(code), expected, what);
  out("%s %s: error class %d", x->name, what, expected);
}

/* Erroneous calls that Open MPI answers with an error on every member. The collective
   still works afterwards. */
static void run_errors(const struct Inter *x) {
  MPI_Comm c = x->comm;
  int a[2 * MAX_RANKS] = {0}, b[2 * MAX_RANKS] = {0}, counts[MAX_RANKS], displs[MAX_RANKS];
  MPI_Datatype types[MAX_RANKS];
  for (int p = 0; p < MAX_RANKS; ++p) {
    counts[p] = 1;
    displs[p] = p;
    types[p] = MPI_INT;
  }
  MPI_Request request;
  CHECK_MPI(MPI_Comm_set_errhandler(c, MPI_ERRORS_RETURN));
  expect_error(x, MPI_Scan(a, b, 1, MPI_INT, MPI_SUM, c), MPI_ERR_COMM, "scan");
  expect_error(x, MPI_Iscan(a, b, 1, MPI_INT, MPI_SUM, c, &request), MPI_ERR_COMM, "iscan");
  expect_error(x, MPI_Allgather(MPI_IN_PLACE, 1, MPI_INT, b, 1, MPI_INT, c), MPI_ERR_ARG, "in-place allgather");
  expect_error(x, MPI_Iallgather(MPI_IN_PLACE, 1, MPI_INT, b, 1, MPI_INT, c, &request), MPI_ERR_ARG,
               "in-place iallgather");
  expect_error(x, MPI_Allgatherv(MPI_IN_PLACE, 1, MPI_INT, b, counts, displs, MPI_INT, c), MPI_ERR_ARG,
               "in-place allgatherv");
  expect_error(x, MPI_Alltoallv(MPI_IN_PLACE, counts, displs, MPI_INT, b, counts, displs, MPI_INT, c), MPI_ERR_ARG,
               "in-place alltoallv");
  expect_error(x, MPI_Ialltoallw(MPI_IN_PLACE, counts, displs, types, b, counts, displs, types, c, &request),
               MPI_ERR_ARG, "in-place ialltoallw");
  expect_error(x, MPI_Bcast(a, 1, MPI_INT, x->remote_size, c), MPI_ERR_ROOT, "bcast to a root out of range");
  expect_error(x, MPI_Reduce(MPI_IN_PLACE, b, 1, MPI_INT, MPI_SUM, MPI_PROC_NULL, c), MPI_ERR_ARG,
               "in-place reduce");
  /* Open MPI reports these on MPI_COMM_WORLD. */
  CHECK_MPI(MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN));
  expect_error(x, MPI_Allreduce(MPI_IN_PLACE, b, 1, MPI_INT, MPI_SUM, c), MPI_ERR_BUFFER, "in-place allreduce");
  expect_error(x, MPI_Alltoall(MPI_IN_PLACE, 1, MPI_INT, b, 1, MPI_INT, c), MPI_ERR_ARG, "in-place alltoall");
  CHECK_MPI(MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_ARE_FATAL));
  CHECK_MPI(MPI_Comm_set_errhandler(c, MPI_ERRORS_ARE_FATAL));
  int one = 1, total = 0;
  CHECK_MPI(MPI_Allreduce(&one, &total, 1, MPI_INT, MPI_SUM, c));
  CHECK_INT(total, x->remote_size, "allreduce after the errors");
}

static void run_all(MPI_Comm local_comm, int group, int remote_leader, const char *name) {
  struct Inter x = {MPI_COMM_NULL, name, group, 0, 0, 0};
  CHECK_MPI(MPI_Intercomm_create(local_comm, 0, MPI_COMM_WORLD, remote_leader, 77, &x.comm));
  MPI_Comm_rank(x.comm, &x.rank);
  MPI_Comm_size(x.comm, &x.size);
  MPI_Comm_remote_size(x.comm, &x.remote_size);
  CHECK(x.size <= MAX_RANKS && x.remote_size <= MAX_RANKS, "at most %d ranks a group", MAX_RANKS);
  out("%s: group %d, rank %d of %d, remote size %d", name, group, x.rank, x.size, x.remote_size);
  run_rounds(&x, 0);
  run_rounds(&x, 1);
  run_errors(&x);
  CHECK_MPI(MPI_Comm_free(&x.comm));
  out_flush();
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  CHECK(world_size() >= 2, "needs at least 2 ranks");
  CHECK_MPI(MPI_Type_vector(3, 1, 2, MPI_INT, &strided));
  CHECK_MPI(MPI_Type_commit(&strided));
  CHECK_MPI(MPI_Type_contiguous(2, MPI_INT, &pair));
  CHECK_MPI(MPI_Type_commit(&pair));
  CHECK_MPI(MPI_Type_contiguous(4, MPI_INT, &matrix));
  CHECK_MPI(MPI_Type_commit(&matrix));
  CHECK_MPI(MPI_Op_create(matrix_product, 0, &product));

  /* Even and odd world ranks: groups of equal size (or one more even). */
  const int parity = world_rank() % 2;
  MPI_Comm half;
  CHECK_MPI(MPI_Comm_split(MPI_COMM_WORLD, parity, world_rank(), &half));
  run_all(half, parity, parity ? 0 : 1, "even/odd");
  CHECK_MPI(MPI_Comm_free(&half));

  /* World rank 0 alone against the others, ordered backwards. */
  const int alone = world_rank() == 0;
  MPI_Comm part;
  CHECK_MPI(MPI_Comm_split(MPI_COMM_WORLD, alone, -world_rank(), &part));
  run_all(part, alone ? 0 : 1, alone ? world_size() - 1 : 0, "first/rest");
  CHECK_MPI(MPI_Comm_free(&part));

  CHECK_MPI(MPI_Op_free(&product));
  CHECK_MPI(MPI_Type_free(&matrix));
  CHECK_MPI(MPI_Type_free(&pair));
  CHECK_MPI(MPI_Type_free(&strided));
  finish("intercomm_collectives");
  return 0;
}
