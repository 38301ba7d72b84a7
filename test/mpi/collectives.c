/* Blocking collectives on MPI_COMM_WORLD and on a rank-reversed communicator: every
   root, MPI_IN_PLACE where allowed, predefined and user-defined reduction operations. */
#include "mpi_check.h"

#include <stdlib.h>
#include <string.h>

enum { N = 8, MAX_RANKS = 8 };

struct Op {
  MPI_Op op;
  const char *name;
};
static const int op_count = 7;

static struct Op op_at(int index) {
  const struct Op ops[] = {{MPI_SUM, "sum"}, {MPI_PROD, "prod"}, {MPI_MAX, "max"},
                           {MPI_MIN, "min"}, {MPI_LAND, "land"}, {MPI_BOR, "bor"},
                           {MPI_BXOR, "bxor"}};
  return ops[index];
}

static int contribution(int op, int rank, int i) {
  switch (op) {
    case 0: return rank * 10 + i;
    case 1: return (rank + i) % 3 + 1;
    case 2:
    case 3: return (rank * 7 + i * 3) % 11;
    case 4: return (rank + i) % 4 != 0;
    default: return (1 << rank) | (i << 4);
  }
}

static int combine(int op, int a, int b) {
  switch (op) {
    case 0: return a + b;
    case 1: return a * b;
    case 2: return a > b ? a : b;
    case 3: return a < b ? a : b;
    case 4: return a && b;
    case 5: return a | b;
    default: return a ^ b;
  }
}

/* The reduction of ranks first..last (inclusive) of element i. */
static int expected(int op, int first, int last, int i) {
  int acc = contribution(op, first, i);
  for (int r = first + 1; r <= last; ++r) acc = combine(op, acc, contribution(op, r, i));
  return acc;
}

static void fill(int *buf, int op, int rank) {
  for (int i = 0; i < N; ++i) buf[i] = contribution(op, rank, i);
}

static unsigned checksum(const int *buf, int count) {
  unsigned sum = 0;
  for (int i = 0; i < count; ++i) sum = sum * 31u + (unsigned)buf[i];
  return sum;
}

/* Every rank's copy of a result must be identical. */
static void check_identical(MPI_Comm comm, const int *buf, int count, const char *what) {
  int size;
  MPI_Comm_size(comm, &size);
  int *all = malloc(sizeof(int) * (size_t)(count * size));
  CHECK_MPI(MPI_Allgather(buf, count, MPI_INT, all, count, MPI_INT, comm));
  for (int r = 1; r < size; ++r)
    CHECK(memcmp(all, all + r * count, sizeof(int) * (size_t)count) == 0,
          "%s differs between rank 0 and rank %d", what, r);
  free(all);
}

static void run_bcast(MPI_Comm comm, int rank, int size) {
  enum { BIG = 100000 };
  int *buf = malloc(sizeof(int) * BIG);
  for (int root = 0; root < size; ++root) {
    for (int i = 0; i < BIG; ++i) buf[i] = rank == root ? root * 7 + i : -1;
    CHECK_MPI(MPI_Bcast(buf, root == 1 ? BIG : N, MPI_INT, root, comm));
    for (int i = 0; i < (root == 1 ? BIG : N); ++i) CHECK_INT(buf[i], root * 7 + i, "bcast");
  }
  free(buf);
  CHECK_MPI(MPI_Barrier(comm));
  if (rank == 0) out("barrier, bcast from every root: ok");
}

static void run_reduce(MPI_Comm comm, int rank, int size) {
  int sent[N];
  int result[N];
  for (int op = 0; op < op_count; ++op)
    for (int root = 0; root < size; ++root) {
      fill(sent, op, rank);
      int in_place = root % 2 == 1 && rank == root;
      if (in_place) memcpy(result, sent, sizeof result);
      CHECK_MPI(MPI_Reduce(in_place ? MPI_IN_PLACE : sent, result, N, MPI_INT, op_at(op).op,
                           root, comm));
      if (rank != root) continue;
      for (int i = 0; i < N; ++i)
        CHECK_INT(result[i], expected(op, 0, size - 1, i), op_at(op).name);
      if (root == 0) out("reduce %s: checksum %u", op_at(op).name, checksum(result, N));
    }
}

static void run_allreduce(MPI_Comm comm, int rank, int size) {
  int sent[N];
  int result[N];
  for (int op = 0; op < op_count; ++op) {
    fill(sent, op, rank);
    CHECK_MPI(MPI_Allreduce(sent, result, N, MPI_INT, op_at(op).op, comm));
    for (int i = 0; i < N; ++i)
      CHECK_INT(result[i], expected(op, 0, size - 1, i), op_at(op).name);
    fill(sent, op, rank);
    CHECK_MPI(MPI_Allreduce(MPI_IN_PLACE, sent, N, MPI_INT, op_at(op).op, comm));
    CHECK(memcmp(sent, result, sizeof result) == 0, "in-place allreduce %s", op_at(op).name);
    check_identical(comm, result, N, op_at(op).name);
    if (rank == 0) out("allreduce %s: checksum %u", op_at(op).name, checksum(result, N));
  }
}

struct DoubleInt {
  double value;
  int index;
};

static int loc_value(int rank, int i) { return (rank * 5 + i * 3) % 7; }

static void run_loc(MPI_Comm comm, int rank, int size) {
  int pairs[N][2];
  int result[N][2];
  struct DoubleInt dpairs[N];
  struct DoubleInt dresult[N];
  for (int i = 0; i < N; ++i) {
    pairs[i][0] = loc_value(rank, i);
    pairs[i][1] = rank;
    dpairs[i].value = loc_value(rank, i) * 0.5;
    dpairs[i].index = rank;
  }
  for (int maximum = 0; maximum < 2; ++maximum) {
    MPI_Op op = maximum ? MPI_MAXLOC : MPI_MINLOC;
    CHECK_MPI(MPI_Allreduce(pairs, result, N, MPI_2INT, op, comm));
    CHECK_MPI(MPI_Allreduce(dpairs, dresult, N, MPI_DOUBLE_INT, op, comm));
    for (int i = 0; i < N; ++i) {
      int best = 0;
      for (int r = 1; r < size; ++r) {
        int better = maximum ? loc_value(r, i) > loc_value(best, i)
                             : loc_value(r, i) < loc_value(best, i);
        if (better) best = r;
      }
      CHECK_INT(result[i][0], loc_value(best, i), "loc value");
      CHECK_INT(result[i][1], best, "loc index");
      CHECK(dresult[i].value == loc_value(best, i) * 0.5, "double loc value");
      CHECK_INT(dresult[i].index, best, "double loc index");
    }
    check_identical(comm, &result[0][0], 2 * N, "loc result");
    if (rank == 0)
      out("%s 2int/double_int: checksum %u", maximum ? "maxloc" : "minloc",
          checksum(&result[0][0], 2 * N));
  }
}

static void saturating_add(void *in, void *inout, int *len, MPI_Datatype *type) {
  (void)type;
  for (int i = 0; i < *len; ++i) {
    int sum = ((int *)in)[i] + ((int *)inout)[i];
    ((int *)inout)[i] = sum > 100 ? 100 : sum;
  }
}

/* inout = in x inout for 2x2 integer matrices: in holds the lower ranks' product. */
static void matrix_product(void *in, void *inout, int *len, MPI_Datatype *type) {
  (void)type;
  for (int k = 0; k < *len; ++k) {
    const int *a = (const int *)in + 4 * k;
    int *b = (int *)inout + 4 * k;
    int c[4] = {a[0] * b[0] + a[1] * b[2], a[0] * b[1] + a[1] * b[3],
                a[2] * b[0] + a[3] * b[2], a[2] * b[1] + a[3] * b[3]};
    memcpy(b, c, sizeof c);
  }
}

static void rank_matrix(int rank, int *m) {
  m[0] = rank + 1;
  m[1] = 1;
  m[2] = 1;
  m[3] = rank % 2;
}

static void expected_product(int first, int last, int *product) {
  rank_matrix(first, product);
  for (int r = first + 1; r <= last; ++r) {
    int m[4];
    rank_matrix(r, m);
    matrix_product(product, m, &(int){1}, NULL);
    memcpy(product, m, sizeof m);
  }
}

static void run_user_ops(MPI_Comm comm, int rank, int size) {
  MPI_Op saturating;
  MPI_Op product;
  MPI_Datatype matrix;
  CHECK_MPI(MPI_Op_create(saturating_add, 1, &saturating));
  CHECK_MPI(MPI_Op_create(matrix_product, 0, &product));
  CHECK_MPI(MPI_Type_contiguous(4, MPI_INT, &matrix));
  CHECK_MPI(MPI_Type_commit(&matrix));
  int sent[N];
  int result[N];
  for (int i = 0; i < N; ++i) sent[i] = rank * 10 + i * 9;
  CHECK_MPI(MPI_Allreduce(sent, result, N, MPI_INT, saturating, comm));
  for (int i = 0; i < N; ++i) {
    int acc = i * 9;
    for (int r = 1; r < size; ++r) acc = acc + r * 10 + i * 9 > 100 ? 100 : acc + r * 10 + i * 9;
    CHECK_INT(result[i], acc, "commutative user op");
  }
  check_identical(comm, result, N, "commutative user op");
  int mine[4];
  int got[4];
  int want[4];
  rank_matrix(rank, mine);
  expected_product(0, size - 1, want);
  for (int root = 0; root < size; ++root) {
    CHECK_MPI(MPI_Reduce(mine, got, 1, matrix, product, root, comm));
    if (rank == root) CHECK(memcmp(got, want, sizeof want) == 0, "matrix product at root");
  }
  CHECK_MPI(MPI_Allreduce(mine, got, 1, matrix, product, comm));
  CHECK(memcmp(got, want, sizeof want) == 0, "allreduce matrix product");
  CHECK_MPI(MPI_Scan(mine, got, 1, matrix, product, comm));
  expected_product(0, rank, want);
  CHECK(memcmp(got, want, sizeof want) == 0, "scan matrix product");
  if (rank == 0) out("user ops: saturating sum checksum %u, matrix product ok",
                     checksum(result, N));
  CHECK_MPI(MPI_Op_free(&saturating));
  CHECK_MPI(MPI_Op_free(&product));
  CHECK_MPI(MPI_Type_free(&matrix));
}

static int item(int rank, int slot) { return rank * 100 + slot; }

static void run_gather_scatter(MPI_Comm comm, int rank, int size) {
  int mine[2] = {item(rank, 0), item(rank, 1)};
  int all[2 * MAX_RANKS];
  int counts[MAX_RANKS];
  int displs[MAX_RANKS];
  for (int r = 0; r < size; ++r) {
    counts[r] = r % 2 + 1;
    displs[r] = 2 * r;
  }
  for (int root = 0; root < size; ++root) {
    for (int i = 0; i < 2 * size; ++i) all[i] = rank == root ? item(i / 2, i % 2) : -1;
    int in_place = rank == root && root % 2 == 0;
    CHECK_MPI(MPI_Gather(in_place ? MPI_IN_PLACE : mine, 2, MPI_INT, all, 2, MPI_INT, root,
                         comm));
    if (rank == root)
      for (int i = 0; i < 2 * size; ++i) CHECK_INT(all[i], item(i / 2, i % 2), "gather");
    for (int i = 0; i < 2 * size; ++i) all[i] = rank == root ? item(i / 2, i % 2) : -1;
    CHECK_MPI(MPI_Gatherv(in_place ? MPI_IN_PLACE : mine, counts[rank], MPI_INT, all, counts,
                          displs, MPI_INT, root, comm));
    if (rank == root)
      for (int r = 0; r < size; ++r)
        for (int k = 0; k < counts[r]; ++k) CHECK_INT(all[2 * r + k], item(r, k), "gatherv");
    int got[2] = {-1, -1};
    CHECK_MPI(MPI_Scatter(all, 2, MPI_INT, in_place ? MPI_IN_PLACE : got, 2, MPI_INT, root,
                          comm));
    if (!in_place) CHECK(got[0] == item(rank, 0) && got[1] == item(rank, 1), "scatter");
    got[0] = got[1] = -1;
    CHECK_MPI(MPI_Scatterv(all, counts, displs, MPI_INT, in_place ? MPI_IN_PLACE : got,
                           counts[rank], MPI_INT, root, comm));
    for (int k = 0; k < counts[rank] && !in_place; ++k)
      CHECK_INT(got[k], item(rank, k), "scatterv");
  }
  if (rank == 0) out("gather, gatherv, scatter, scatterv from every root: ok");
}

static void run_allgather(MPI_Comm comm, int rank, int size) {
  int mine[2] = {item(rank, 0), item(rank, 1)};
  int all[2 * MAX_RANKS];
  int counts[MAX_RANKS];
  int displs[MAX_RANKS];
  for (int r = 0; r < size; ++r) {
    counts[r] = 2 - r % 2;
    displs[r] = 2 * r;
  }
  for (int in_place = 0; in_place < 2; ++in_place) {
    for (int i = 0; i < 2 * size; ++i) all[i] = i / 2 == rank ? item(rank, i % 2) : -1;
    CHECK_MPI(MPI_Allgather(in_place ? MPI_IN_PLACE : mine, 2, MPI_INT, all, 2, MPI_INT, comm));
    for (int i = 0; i < 2 * size; ++i) CHECK_INT(all[i], item(i / 2, i % 2), "allgather");
    for (int i = 0; i < 2 * size; ++i) all[i] = i / 2 == rank ? item(rank, i % 2) : -1;
    CHECK_MPI(MPI_Allgatherv(in_place ? MPI_IN_PLACE : mine, counts[rank], MPI_INT, all, counts,
                             displs, MPI_INT, comm));
    for (int r = 0; r < size; ++r)
      for (int k = 0; k < counts[r]; ++k) CHECK_INT(all[2 * r + k], item(r, k), "allgatherv");
  }
  if (rank == 0) out("allgather, allgatherv, with and without in-place: ok");
}

static int pair_item(int from, int to, int k) { return from * 1000 + to * 10 + k; }

static void run_alltoall(MPI_Comm comm, int rank, int size) {
  int sent[3 * MAX_RANKS] = {0};
  int got[3 * MAX_RANKS];
  int scounts[MAX_RANKS], sdispls[MAX_RANKS], rcounts[MAX_RANKS], rdispls[MAX_RANKS];
  int sbytes[MAX_RANKS], rbytes[MAX_RANKS];
  MPI_Datatype types[MAX_RANKS];
  for (int r = 0; r < size; ++r) {
    for (int k = 0; k < 3; ++k) sent[3 * r + k] = pair_item(rank, r, k);
    scounts[r] = (rank + r) % 3 + 1;
    rcounts[r] = (r + rank) % 3 + 1;
    sdispls[r] = rdispls[r] = 3 * r;
    sbytes[r] = rbytes[r] = 12 * r;
    types[r] = MPI_INT;
  }
  CHECK_MPI(MPI_Alltoall(sent, 3, MPI_INT, got, 3, MPI_INT, comm));
  for (int i = 0; i < 3 * size; ++i) CHECK_INT(got[i], pair_item(i / 3, rank, i % 3), "alltoall");
  memcpy(got, sent, sizeof sent);
  CHECK_MPI(MPI_Alltoall(MPI_IN_PLACE, 3, MPI_INT, got, 3, MPI_INT, comm));
  for (int i = 0; i < 3 * size; ++i)
    CHECK_INT(got[i], pair_item(i / 3, rank, i % 3), "in-place alltoall");
  for (int variant = 0; variant < 2; ++variant) {
    for (int i = 0; i < 3 * size; ++i) got[i] = -1;
    if (variant == 0)
      CHECK_MPI(MPI_Alltoallv(sent, scounts, sdispls, MPI_INT, got, rcounts, rdispls, MPI_INT,
                              comm));
    else
      CHECK_MPI(MPI_Alltoallw(sent, scounts, sbytes, types, got, rcounts, rbytes, types, comm));
    for (int r = 0; r < size; ++r)
      for (int k = 0; k < 3; ++k)
        CHECK_INT(got[3 * r + k], k < rcounts[r] ? pair_item(r, rank, k) : -1,
                  variant ? "alltoallw" : "alltoallv");
  }
  if (rank == 0) out("alltoall (also in-place), alltoallv, alltoallw: ok");
}

static void run_reduce_scatter(MPI_Comm comm, int rank, int size) {
  int sent[2 * MAX_RANKS];
  int got[2 * MAX_RANKS];
  int counts[MAX_RANKS];
  for (int i = 0; i < 2 * size; ++i) sent[i] = contribution(0, rank, i);
  for (int r = 0; r < size; ++r) counts[r] = 2;
  CHECK_MPI(MPI_Reduce_scatter_block(sent, got, 2, MPI_INT, MPI_SUM, comm));
  for (int k = 0; k < 2; ++k)
    CHECK_INT(got[k], expected(0, 0, size - 1, 2 * rank + k), "reduce_scatter_block");
  memcpy(got, sent, sizeof sent);
  CHECK_MPI(MPI_Reduce_scatter_block(MPI_IN_PLACE, got, 2, MPI_INT, MPI_SUM, comm));
  for (int k = 0; k < 2; ++k)
    CHECK_INT(got[k], expected(0, 0, size - 1, 2 * rank + k), "in-place reduce_scatter_block");
  int offset = 0;
  for (int r = 0; r < size; ++r) {
    counts[r] = r % 2 + 1;
    if (r < rank) offset += counts[r];
  }
  CHECK_MPI(MPI_Reduce_scatter(sent, got, counts, MPI_INT, MPI_SUM, comm));
  for (int k = 0; k < counts[rank]; ++k)
    CHECK_INT(got[k], expected(0, 0, size - 1, offset + k), "reduce_scatter");
  memcpy(got, sent, sizeof sent);
  CHECK_MPI(MPI_Reduce_scatter(MPI_IN_PLACE, got, counts, MPI_INT, MPI_SUM, comm));
  for (int k = 0; k < counts[rank]; ++k)
    CHECK_INT(got[k], expected(0, 0, size - 1, offset + k), "in-place reduce_scatter");
  if (rank == 0) out("reduce_scatter, reduce_scatter_block (also in-place): ok");
}

static void run_scan(MPI_Comm comm, int rank, int size) {
  int sent[N];
  int got[N];
  for (int op = 0; op < op_count; ++op) {
    fill(sent, op, rank);
    CHECK_MPI(MPI_Scan(sent, got, N, MPI_INT, op_at(op).op, comm));
    for (int i = 0; i < N; ++i) CHECK_INT(got[i], expected(op, 0, rank, i), "scan");
    memcpy(got, sent, sizeof sent);
    CHECK_MPI(MPI_Scan(MPI_IN_PLACE, got, N, MPI_INT, op_at(op).op, comm));
    for (int i = 0; i < N; ++i) CHECK_INT(got[i], expected(op, 0, rank, i), "in-place scan");
    CHECK_MPI(MPI_Exscan(sent, got, N, MPI_INT, op_at(op).op, comm));
    for (int i = 0; i < N && rank > 0; ++i)
      CHECK_INT(got[i], expected(op, 0, rank - 1, i), "exscan");
    memcpy(got, sent, sizeof sent);
    CHECK_MPI(MPI_Exscan(MPI_IN_PLACE, got, N, MPI_INT, op_at(op).op, comm));
    for (int i = 0; i < N && rank > 0; ++i)
      CHECK_INT(got[i], expected(op, 0, rank - 1, i), "in-place exscan");
  }
  (void)size;
  if (rank == 0) out("scan, exscan (also in-place) with every predefined op: ok");
}

static void run_all(MPI_Comm comm, const char *label) {
  int rank;
  int size;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  CHECK(size <= MAX_RANKS, "at most %d ranks supported", MAX_RANKS);
  if (rank == 0) out("-- %s, size %d", label, size);
  run_bcast(comm, rank, size);
  run_reduce(comm, rank, size);
  run_allreduce(comm, rank, size);
  run_loc(comm, rank, size);
  run_user_ops(comm, rank, size);
  run_gather_scatter(comm, rank, size);
  run_allgather(comm, rank, size);
  run_alltoall(comm, rank, size);
  run_reduce_scatter(comm, rank, size);
  run_scan(comm, rank, size);
  out_flush();
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  run_all(MPI_COMM_WORLD, "MPI_COMM_WORLD");
  MPI_Comm reversed;
  CHECK_MPI(MPI_Comm_split(MPI_COMM_WORLD, 0, world_size() - world_rank(), &reversed));
  run_all(reversed, "rank-reversed split");
  CHECK_MPI(MPI_Comm_free(&reversed));
  finish("collectives");
  return 0;
}
