/* Distributed dense C = A * B.
 *
 *   matmul [N]      N x N matrices
 *
 * On a square number of ranks, SUMMA on a 2-D grid with row and column communicators;
 * otherwise a 1-D row-block algorithm in which each rank gathers all of B with
 * MPI_Iallgatherv and computes its rows of C, starting with the rows of B it holds. Each
 * rank generates its own blocks of A and B before the clock starts; the timed part is the
 * communication and the multiplication, a cache-blocked kernel. The entries of A and B
 * are small integers, so every product and sum is exact in double precision and the
 * weighted checksum of C is compared with its closed form,
 * sum over k of (sum_i w_i A_ik) (sum_j v_j B_kj). */
#include <mpi.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "app_arguments.h"
#include "app_memory.h"

enum { DEFAULT_EDGE = 2400, MAX_EDGE = 10000, SAMPLES_PER_RANK = 16 };
/* Tiles of B that stay in cache while a group of rows of C uses them. */
enum { TILE_ROWS = 64, TILE_INNER = 128, TILE_COLUMNS = 256 };

static double a_entry(long i, long k) { return (double)((7 * i + k * k + 1) % 13 - 5); }
static double b_entry(long k, long j) { return (double)((5 * k + j * j + 2) % 11 - 4); }
static int64_t row_weight(long i) { return i % 5 + 1; }
static int64_t column_weight(long j) { return j % 3 + 1; }

typedef struct {
  int row0, rows, col0, cols; /* a block of a matrix, in global indices */
} Block;

static int block_start(int n, int parts, int index) {
  return (int)((long)n * index / parts);
}

static double* generate(Block b, double (*entry)(long, long)) {
  double* m = app_alloc_touched("matmul", sizeof(double) * (size_t)b.rows * (size_t)b.cols);
  for (int i = 0; i < b.rows; ++i)
    for (int j = 0; j < b.cols; ++j) m[(size_t)i * b.cols + j] = entry(b.row0 + i, b.col0 + j);
  return m;
}

static int min_int(int a, int b) { return a < b ? a : b; }

/* c (rows x cols) += a (rows x inner, rows lda apart) * b (inner x cols) */
static void multiply_add(const double* restrict a, int lda, const double* restrict b,
                         double* restrict c, int rows, int inner, int cols) {
  for (int i0 = 0; i0 < rows; i0 += TILE_ROWS) {
    const int i1 = min_int(i0 + TILE_ROWS, rows);
    for (int j0 = 0; j0 < cols; j0 += TILE_COLUMNS) {
      const int j1 = min_int(j0 + TILE_COLUMNS, cols);
      for (int k0 = 0; k0 < inner; k0 += TILE_INNER) {
        const int k1 = min_int(k0 + TILE_INNER, inner);
        for (int i = i0; i < i1; ++i) {
          double* restrict c_row = c + (size_t)i * cols;
          for (int k = k0; k < k1; ++k) {
            const double a_ik = a[(size_t)i * lda + k];
            const double* restrict b_row = b + (size_t)k * cols;
            for (int j = j0; j < j1; ++j) c_row[j] += a_ik * b_row[j];
          }
        }
      }
    }
  }
}

/* 1-D algorithm: this rank's rows of C from its rows of A and all of B, gathered into
 * `b` (n x n) from every rank's rows `b_rows`. The gather overlaps with the part of the
 * product that needs only the rows of B held here; MPI_Test between row tiles moves it on. */
static void row_block_product(int n, int rank, int size, Block mine, const double* a,
                              const double* b_rows, double* b, double* c) {
  int* counts = malloc(sizeof(int) * (size_t)size);
  int* displs = malloc(sizeof(int) * (size_t)size);
  for (int r = 0; r < size; ++r) {
    displs[r] = block_start(n, size, r) * n;
    counts[r] = block_start(n, size, r + 1) * n - displs[r];
  }
  MPI_Request gather;
  MPI_Iallgatherv(b_rows, counts[rank], MPI_DOUBLE, b, counts, displs, MPI_DOUBLE,
                  MPI_COMM_WORLD, &gather);
  int gathered = 0;
  const int own_k0 = block_start(n, size, rank);
  for (int i0 = 0; i0 < mine.rows; i0 += TILE_ROWS) {
    const int rows = min_int(TILE_ROWS, mine.rows - i0);
    multiply_add(a + (size_t)i0 * n + own_k0, n, b_rows, c + (size_t)i0 * n, rows, counts[rank] / n, n);
    if (!gathered) MPI_Test(&gather, &gathered, MPI_STATUS_IGNORE);
  }
  MPI_Wait(&gather, MPI_STATUS_IGNORE);
  for (int r = 0; r < size; ++r) {
    if (r == rank) continue;
    const int k0 = block_start(n, size, r);
    multiply_add(a + k0, n, b + displs[r], c, mine.rows, counts[r] / n, n);
  }
  free(counts);
  free(displs);
}

/* SUMMA on a q x q grid: at step s, grid column s broadcasts its blocks of A along the
 * process rows and grid row s its blocks of B along the process columns. `a` and `b` are
 * this rank's own blocks; the panels receive the others'. */
static void summa_product(int n, int q, int rank, Block mine, double* a, double* b,
                          double* a_panel, double* b_panel, double* c) {
  const int grid_row = rank / q, grid_col = rank % q;
  MPI_Comm row_comm, col_comm;
  MPI_Comm_split(MPI_COMM_WORLD, grid_row, grid_col, &row_comm);
  MPI_Comm_split(MPI_COMM_WORLD, grid_col, grid_row, &col_comm);
  for (int step = 0; step < q; ++step) {
    const int width = block_start(n, q, step + 1) - block_start(n, q, step);
    double* a_use = grid_col == step ? a : a_panel;
    double* b_use = grid_row == step ? b : b_panel;
    MPI_Bcast(a_use, mine.rows * width, MPI_DOUBLE, step, row_comm);
    MPI_Bcast(b_use, width * mine.cols, MPI_DOUBLE, step, col_comm);
    multiply_add(a_use, width, b_use, c, mine.rows, width, mine.cols);
  }
  MPI_Comm_free(&row_comm);
  MPI_Comm_free(&col_comm);
}

static int64_t weighted_sum(const double* c, Block b) {
  int64_t sum = 0;
  for (int i = 0; i < b.rows; ++i)
    for (int j = 0; j < b.cols; ++j)
      sum += (int64_t)c[(size_t)i * b.cols + j] * row_weight(b.row0 + i) *
             column_weight(b.col0 + j);
  return sum;
}

static int64_t closed_form(int n) {
  int64_t total = 0;
  for (long k = 0; k < n; ++k) {
    int64_t a_side = 0, b_side = 0;
    for (long i = 0; i < n; ++i) a_side += (int64_t)a_entry(i, k) * row_weight(i);
    for (long j = 0; j < n; ++j) b_side += (int64_t)b_entry(k, j) * column_weight(j);
    total += a_side * b_side;
  }
  return total;
}

/* Recomputes a few entries of the local block directly; returns how many differ. */
static int check_samples(const double* c, Block b, int n) {
  int wrong = 0;
  for (int s = 0; s < SAMPLES_PER_RANK && b.rows > 0 && b.cols > 0; ++s) {
    const int i = (int)((long)s * 7919 % b.rows);
    const int j = (int)((long)s * 104729 % b.cols);
    double expected = 0.0;
    for (int k = 0; k < n; ++k) expected += a_entry(b.row0 + i, k) * b_entry(k, b.col0 + j);
    if (c[(size_t)i * b.cols + j] != expected) ++wrong;
  }
  return wrong;
}

static int square_root(int size) {
  int q = 1;
  while ((q + 1) * (q + 1) <= size) ++q;
  return q * q == size ? q : 0;
}

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0, size = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  AppCount sizes[] = {{"N", MAX_EDGE, DEFAULT_EDGE}};
  if (app_parse_counts("matmul", argc, argv, sizes, 1, rank == 0) != 0) {
    if (rank == 0) fprintf(stderr, "usage: matmul [N] (1 <= N <= %d)\n", MAX_EDGE);
    MPI_Finalize();
    return 2;
  }
  const long n = sizes[0].value;
  const int q = square_root(size);
  Block mine = {0, 0, 0, (int)n};
  if (q > 0) {
    mine.row0 = block_start((int)n, q, rank / q);
    mine.rows = block_start((int)n, q, rank / q + 1) - mine.row0;
    mine.col0 = block_start((int)n, q, rank % q);
    mine.cols = block_start((int)n, q, rank % q + 1) - mine.col0;
  } else {
    mine.row0 = block_start((int)n, size, rank);
    mine.rows = block_start((int)n, size, rank + 1) - mine.row0;
  }
  /* Everything is generated and touched before the clock starts. Both algorithms start
   * from this rank's own blocks of A and B (for SUMMA, the ones it broadcasts at the steps
   * of its grid column and grid row); the 1-D one gathers all of B, SUMMA receives
   * panels of the others' blocks. */
  double* a = generate(mine, a_entry);
  double* b_own = generate(mine, b_entry);
  double *b_all = NULL, *a_panel = NULL, *b_panel = NULL;
  if (q > 0) {
    const int widest = block_start((int)n, q, 1) + 1;
    a_panel = app_alloc_touched("matmul", sizeof(double) * (size_t)mine.rows * (size_t)widest);
    b_panel = app_alloc_touched("matmul", sizeof(double) * (size_t)widest * (size_t)mine.cols);
  } else {
    b_all = app_alloc_touched("matmul", sizeof(double) * (size_t)n * (size_t)n);
  }
  double* c = app_alloc_touched("matmul", sizeof(double) * (size_t)mine.rows * (size_t)mine.cols);
  for (size_t i = 0; i < (size_t)mine.rows * (size_t)mine.cols; ++i) c[i] = 0.0;

  MPI_Barrier(MPI_COMM_WORLD);
  const double start = MPI_Wtime();
  if (q > 0)
    summa_product((int)n, q, rank, mine, a, b_own, a_panel, b_panel, c);
  else
    row_block_product((int)n, rank, size, mine, a, b_own, b_all, c);
  MPI_Barrier(MPI_COMM_WORLD);
  const double elapsed = MPI_Wtime() - start;
  free(a);
  free(b_own);
  free(b_all);
  free(a_panel);
  free(b_panel);

  const int64_t local = weighted_sum(c, mine);
  const int local_wrong = check_samples(c, mine, (int)n);
  int64_t checksum = 0;
  int wrong = 0;
  MPI_Reduce(&local, &checksum, 1, MPI_INT64_T, MPI_SUM, 0, MPI_COMM_WORLD);
  MPI_Reduce(&local_wrong, &wrong, 1, MPI_INT, MPI_SUM, 0, MPI_COMM_WORLD);
  int status = 0;
  if (rank == 0) {
    const int64_t expected = closed_form((int)n);
    if (checksum != expected) {
      fprintf(stderr, "matmul: self-check failed: checksum %lld, closed form %lld\n",
              (long long)checksum, (long long)expected);
      status = 1;
    }
    if (wrong != 0) {
      fprintf(stderr, "matmul: self-check failed: %d sampled entries differ\n", wrong);
      status = 1;
    }
    printf("result app=matmul ranks=%d time=%.6f check=%lld\n", size, elapsed,
           (long long)checksum);
  }
  MPI_Bcast(&status, 1, MPI_INT, 0, MPI_COMM_WORLD);
  free(c);
  MPI_Finalize();
  return status;
}
