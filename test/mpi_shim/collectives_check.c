/* Every collective the shim implements, checked against values each rank can compute on
 * its own. Run it with plain mpirun and under `ferry run` with function ranks: both must
 * print "passed" on every rank. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int rank, size, failures;

static void expect(int condition, const char* what, int detail) {
  if (!condition) {
    fprintf(stderr, "rank %d: FAILED %s (%d)\n", rank, what, detail);
    ++failures;
  }
}

/* 2x2 integer matrices multiplied modulo 1009: associative, not commutative. */
static void matrix_product(void* in, void* inout, int* len, MPI_Datatype* type) {
  (void)type;
  int* a = in;
  int* b = inout;
  for (int k = 0; k < *len; ++k, a += 4, b += 4) {
    int r[4] = {(a[0] * b[0] + a[1] * b[2]) % 1009, (a[0] * b[1] + a[1] * b[3]) % 1009,
                (a[2] * b[0] + a[3] * b[2]) % 1009, (a[2] * b[1] + a[3] * b[3]) % 1009};
    memcpy(b, r, sizeof r);
  }
}

static void matrix_of(int r, int m[4]) {
  m[0] = r + 1; m[1] = 2 * r + 3; m[2] = r; m[3] = 1;
}

static void ordered_product(int first, int last, int out[4]) {
  int acc[4] = {1, 0, 0, 1};
  for (int r = last; r >= first; --r) {
    int m[4], len = 1;
    matrix_of(r, m);
    matrix_product(m, acc, &len, NULL);
  }
  memcpy(out, acc, sizeof acc);
}

static void check_barrier_bcast(void) {
  MPI_Barrier(MPI_COMM_WORLD);
  MPI_Datatype every_other;
  MPI_Type_vector(4, 1, 2, MPI_INT, &every_other);
  MPI_Type_commit(&every_other);
  for (int root = 0; root < size; ++root) {
    int data[8];
    for (int i = 0; i < 8; ++i) data[i] = rank == root ? 100 * root + i : -1;
    MPI_Bcast(data, 1, every_other, root, MPI_COMM_WORLD);
    for (int i = 0; i < 8; ++i) {
      const int sent = i % 2 == 0 || rank == root;
      expect(data[i] == (sent ? 100 * root + i : -1), "bcast vector", i);
    }
    long big[1000];
    for (int i = 0; i < 1000; ++i) big[i] = rank == root ? i * 7 + root : 0;
    MPI_Bcast(big, 1000, MPI_LONG, root, MPI_COMM_WORLD);
    for (int i = 0; i < 1000; ++i) expect(big[i] == i * 7 + root, "bcast long", i);
  }
  MPI_Type_free(&every_other);
}

static void check_reductions(void) {
  MPI_Op product;
  MPI_Op_create(matrix_product, 0, &product);
  MPI_Datatype matrix;
  MPI_Type_contiguous(4, MPI_INT, &matrix);
  MPI_Type_commit(&matrix);
  int mine[4], result[4], expected[4];
  matrix_of(rank, mine);
  for (int root = 0; root < size; ++root) {
    memset(result, 0, sizeof result);
    MPI_Reduce(mine, result, 1, matrix, product, root, MPI_COMM_WORLD);
    ordered_product(0, size - 1, expected);
    if (rank == root) expect(memcmp(result, expected, sizeof result) == 0, "reduce non-commutative at root", root);
  }
  MPI_Allreduce(mine, result, 1, matrix, product, MPI_COMM_WORLD);
  expect(memcmp(result, expected, sizeof result) == 0, "allreduce non-commutative", 0);

  double values[3] = {0.1 * rank, 1e16 + rank, 1.0 / (rank + 3)};
  MPI_Allreduce(MPI_IN_PLACE, values, 3, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
  double all[3 * 64];
  MPI_Allgather(values, 3, MPI_DOUBLE, all, 3, MPI_DOUBLE, MPI_COMM_WORLD);
  for (int r = 0; r < size; ++r) expect(memcmp(all + 3 * r, values, sizeof values) == 0, "allreduce bit-identical", r);

  int sum = 0;
  MPI_Allreduce(&rank, &sum, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
  expect(sum == size * (size - 1) / 2, "allreduce sum", sum);

  /* Large enough to be combined in segments: the product must still be in rank order in
   * every segment, in place too, and the doubles' bits the same on every rank. */
  enum { matrices = 5003 };
  static int many[matrices][4], many_result[matrices][4];
  for (int k = 0; k < matrices; ++k) matrix_of(rank + k % 3, many[k]);
  MPI_Allreduce(many, many_result, matrices, matrix, product, MPI_COMM_WORLD);
  MPI_Allreduce(MPI_IN_PLACE, many, matrices, matrix, product, MPI_COMM_WORLD);
  int wrong = 0;
  for (int k = 0; k < matrices; ++k) {
    int acc[4] = {1, 0, 0, 1}, m[4], len = 1;
    for (int r = size - 1; r >= 0; --r) {
      matrix_of(r + k % 3, m);
      matrix_product(m, acc, &len, NULL);
    }
    wrong += memcmp(acc, many_result[k], sizeof acc) != 0;
    wrong += memcmp(acc, many[k], sizeof acc) != 0;
  }
  expect(wrong == 0, "large allreduce non-commutative, and in place", wrong);
  enum { doubles = 30011 };
  static double spread[doubles], spread_all[doubles * 8];
  for (int i = 0; i < doubles; ++i) spread[i] = 1.0 / (rank + 1 + i % 7) + 1e15 * (i % 2);
  MPI_Allreduce(MPI_IN_PLACE, spread, doubles, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
  if (size <= 8) {
    MPI_Allgather(spread, doubles, MPI_DOUBLE, spread_all, doubles, MPI_DOUBLE, MPI_COMM_WORLD);
    for (int r = 0; r < size; ++r)
      expect(memcmp(spread_all + (size_t)r * doubles, spread, sizeof spread) == 0, "large allreduce bit-identical", r);
  }

  MPI_Scan(mine, result, 1, matrix, product, MPI_COMM_WORLD);
  ordered_product(0, rank, expected);
  expect(memcmp(result, expected, sizeof result) == 0, "scan non-commutative", rank);
  memcpy(result, mine, sizeof mine);
  MPI_Exscan(MPI_IN_PLACE, result, 1, matrix, product, MPI_COMM_WORLD);
  ordered_product(0, rank - 1, expected);
  if (rank > 0) expect(memcmp(result, expected, sizeof result) == 0, "exscan in place", rank);

  int contributions[64], block[2];
  for (int i = 0; i < 2 * size; ++i) contributions[i] = rank + i;
  MPI_Reduce_scatter_block(contributions, block, 2, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
  for (int k = 0; k < 2; ++k)
    expect(block[k] == size * (size - 1) / 2 + size * (2 * rank + k), "reduce_scatter_block", k);
  int counts[64], total = 0;
  for (int r = 0; r < size; ++r) total += counts[r] = r + 1;
  for (int i = 0; i < total; ++i) contributions[i] = i;
  int part[64];
  MPI_Reduce_scatter(contributions, part, counts, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
  int offset = rank * (rank + 1) / 2;
  for (int k = 0; k <= rank; ++k) expect(part[k] == size * (offset + k), "reduce_scatter", k);
  MPI_Op_free(&product);
  MPI_Type_free(&matrix);
}

static void check_gather_scatter(void) {
  int all[64], counts[64], displs[64];
  for (int root = 0; root < size; ++root) {
    int value = 10 * rank + 1;
    memset(all, 0, sizeof all);
    MPI_Gather(&value, 1, MPI_INT, all, 1, MPI_INT, root, MPI_COMM_WORLD);
    if (rank == root)
      for (int r = 0; r < size; ++r) expect(all[r] == 10 * r + 1, "gather", r);
    for (int r = 0; r < size; ++r) all[r] = rank == root ? 5 * r : -1;
    int got = -1;
    MPI_Scatter(all, 1, MPI_INT, &got, 1, MPI_INT, root, MPI_COMM_WORLD);
    expect(got == 5 * rank, "scatter", got);
  }
  int at = 0;
  for (int r = 0; r < size; ++r) {
    counts[r] = r + 1;
    displs[r] = at + 1;
    at += r + 2;
  }
  int mine[64];
  for (int k = 0; k <= rank; ++k) mine[k] = 100 * rank + k;
  memset(all, 0, sizeof all);
  MPI_Gatherv(mine, rank + 1, MPI_INT, all, counts, displs, MPI_INT, size - 1, MPI_COMM_WORLD);
  if (rank == size - 1)
    for (int r = 0; r < size; ++r)
      for (int k = 0; k <= r; ++k) expect(all[displs[r] + k] == 100 * r + k, "gatherv", r);
  memset(mine, 0, sizeof mine);
  MPI_Scatterv(all, counts, displs, MPI_INT, mine, rank + 1, MPI_INT, size - 1, MPI_COMM_WORLD);
  for (int k = 0; k <= rank; ++k) expect(mine[k] == 100 * rank + k, "scatterv", k);
  memset(all, 0, sizeof all);
  for (int k = 0; k <= rank; ++k) all[displs[rank] + k] = 7 * rank + k;
  MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, all, counts, displs, MPI_INT, MPI_COMM_WORLD);
  for (int r = 0; r < size; ++r)
    for (int k = 0; k <= r; ++k) expect(all[displs[r] + k] == 7 * r + k, "allgatherv in place", r);
}

static void check_alltoall(void) {
  int out[64], in[64];
  for (int r = 0; r < size; ++r) out[r] = 1000 * rank + r;
  MPI_Alltoall(out, 1, MPI_INT, in, 1, MPI_INT, MPI_COMM_WORLD);
  for (int r = 0; r < size; ++r) expect(in[r] == 1000 * r + rank, "alltoall", r);
  MPI_Alltoall(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, out, 1, MPI_INT, MPI_COMM_WORLD);
  for (int r = 0; r < size; ++r) expect(out[r] == 1000 * r + rank, "alltoall in place", r);
  int sc[64], sd[64], rc[64], rd[64], bytes_s[64], bytes_r[64];
  MPI_Datatype types[64];
  int s = 0, t = 0;
  for (int r = 0; r < size; ++r) {
    sc[r] = r + 1; sd[r] = s; s += r + 1;
    rc[r] = rank + 1; rd[r] = t; t += rank + 1;
    bytes_s[r] = sd[r] * (int)sizeof(int); bytes_r[r] = rd[r] * (int)sizeof(int);
    types[r] = MPI_INT;
  }
  for (int r = 0; r < size; ++r)
    for (int k = 0; k < sc[r]; ++k) out[sd[r] + k] = 100 * rank + 10 * r + k;
  MPI_Alltoallv(out, sc, sd, MPI_INT, in, rc, rd, MPI_INT, MPI_COMM_WORLD);
  for (int r = 0; r < size; ++r)
    for (int k = 0; k <= rank; ++k) expect(in[rd[r] + k] == 100 * r + 10 * rank + k, "alltoallv", r);
  memset(in, 0, sizeof in);
  MPI_Alltoallw(out, sc, bytes_s, types, in, rc, bytes_r, types, MPI_COMM_WORLD);
  for (int r = 0; r < size; ++r)
    for (int k = 0; k <= rank; ++k) expect(in[rd[r] + k] == 100 * r + 10 * rank + k, "alltoallw", r);
}

static void check_nonblocking(void) {
  MPI_Request requests[6];
  int b = rank == 1 % size ? 42 : 0, sum = -1, gathered[64], everyone[64], exchanged[64], out[64];
  for (int r = 0; r < size; ++r) out[r] = rank * size + r;
  MPI_Ibarrier(MPI_COMM_WORLD, &requests[0]);
  MPI_Ibcast(&b, 1, MPI_INT, 1 % size, MPI_COMM_WORLD, &requests[1]);
  MPI_Iallreduce(&rank, &sum, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD, &requests[2]);
  MPI_Igather(&rank, 1, MPI_INT, gathered, 1, MPI_INT, 0, MPI_COMM_WORLD, &requests[3]);
  MPI_Iallgather(&rank, 1, MPI_INT, everyone, 1, MPI_INT, MPI_COMM_WORLD, &requests[4]);
  MPI_Ialltoall(out, 1, MPI_INT, exchanged, 1, MPI_INT, MPI_COMM_WORLD, &requests[5]);
  MPI_Waitall(6, requests, MPI_STATUSES_IGNORE);
  expect(b == 42, "ibcast", b);
  expect(sum == size * (size - 1) / 2, "iallreduce", sum);
  for (int r = 0; r < size; ++r) {
    if (rank == 0) expect(gathered[r] == r, "igather", r);
    expect(everyone[r] == r, "iallgather", r);
    expect(exchanged[r] == r * size + rank, "ialltoall", r);
  }
  int inclusive = -1, exclusive = -1, blocks[64], mine_block = -1;
  for (int r = 0; r < size; ++r) blocks[r] = r + rank;
  MPI_Iscan(&rank, &inclusive, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD, &requests[0]);
  MPI_Iexscan(&rank, &exclusive, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD, &requests[1]);
  MPI_Ireduce_scatter_block(blocks, &mine_block, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD, &requests[2]);
  MPI_Waitall(3, requests, MPI_STATUSES_IGNORE);
  expect(inclusive == rank * (rank + 1) / 2, "iscan", inclusive);
  if (rank > 0) expect(exclusive == rank * (rank - 1) / 2, "iexscan", exclusive);
  expect(mine_block == size * rank + size * (size - 1) / 2, "ireduce_scatter_block", mine_block);
  int reduced = -1, flag = 0;
  MPI_Ireduce(&rank, &reduced, 1, MPI_INT, MPI_MAX, size - 1, MPI_COMM_WORLD, &requests[0]);
  while (!flag) MPI_Test(&requests[0], &flag, MPI_STATUS_IGNORE);
  if (rank == size - 1) expect(reduced == size - 1, "ireduce", reduced);
}

/* Collectives in flight at once on the world and on halves of it, completed out of order,
 * and messages large enough for the transport's rendezvous path. */
static void check_concurrency(void) {
  MPI_Comm half;
  MPI_Comm_split(MPI_COMM_WORLD, rank % 2, -rank, &half);
  int half_rank, half_size;
  MPI_Comm_rank(half, &half_rank);
  MPI_Comm_size(half, &half_size);
  enum { rounds = 8, big = 1 << 17 };
  int values[rounds], world_sums[rounds], half_sums[rounds];
  MPI_Request requests[2 * rounds];
  for (int i = 0; i < rounds; ++i) {
    values[i] = rank + i;
    MPI_Iallreduce(&values[i], &world_sums[i], 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD, &requests[i]);
    MPI_Iallreduce(&values[i], &half_sums[i], 1, MPI_INT, MPI_SUM, half, &requests[rounds + i]);
  }
  for (int i = 2 * rounds - 1; i >= 0; --i) MPI_Wait(&requests[i], MPI_STATUS_IGNORE);
  int half_ranks = 0;
  for (int r = rank % 2; r < size; r += 2) half_ranks += r;
  for (int i = 0; i < rounds; ++i) {
    expect(world_sums[i] == size * (size - 1) / 2 + size * i, "concurrent iallreduce on the world", i);
    expect(half_sums[i] == half_ranks + half_size * i, "concurrent iallreduce on a half", i);
  }
  expect(half_rank == half_size - 1 - rank / 2, "split key orders the half", half_rank);

  static double input[big], output[big];
  for (int i = 0; i < big; ++i) input[i] = rank * 0.5 + i;
  MPI_Allreduce(input, output, big, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
  int wrong = 0;
  for (int i = 0; i < big; ++i) wrong += output[i] != size * (size - 1) * 0.25 + (double)size * i;
  expect(wrong == 0, "allreduce of 1 MiB", wrong);
  MPI_Comm_free(&half);
}

static void check_errors(void) {
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  int value = 0, code;
  code = MPI_Bcast(&value, 1, MPI_INT, size, MPI_COMM_WORLD);
  expect(code != MPI_SUCCESS, "bcast with root = size is an error", code);
  int class_ = -1;
  MPI_Error_class(code, &class_);
  expect(class_ == MPI_ERR_ROOT, "bad root gives MPI_ERR_ROOT", class_);
  code = MPI_Allreduce(&value, &value, -1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
  MPI_Error_class(code, &class_);
  expect(class_ == MPI_ERR_COUNT, "negative count gives MPI_ERR_COUNT", class_);
  code = MPI_Allreduce(&value, &value, 1, MPI_DATATYPE_NULL, MPI_SUM, MPI_COMM_WORLD);
  MPI_Error_class(code, &class_);
  /* Open MPI itself reports a null datatype in a reduction as an invalid operation. */
  expect(class_ == MPI_ERR_TYPE || class_ == MPI_ERR_OP, "null datatype is an error", class_);
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_ARE_FATAL);
}

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  if (size > 32) {
    if (rank == 0) fprintf(stderr, "at most 32 ranks\n");
    MPI_Abort(MPI_COMM_WORLD, 2);
  }
  check_barrier_bcast();
  check_reductions();
  check_gather_scatter();
  check_alltoall();
  check_nonblocking();
  check_concurrency();
  check_errors();
  MPI_Barrier(MPI_COMM_WORLD);
  printf("rank %d of %d: collectives %s\n", rank, size, failures == 0 ? "passed" : "FAILED");
  MPI_Finalize();
  return failures == 0 ? 0 : 1;
}
