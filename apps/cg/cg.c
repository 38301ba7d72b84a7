/* Conjugate gradient on the 3D Poisson problem, matrix-free.
 *
 *   cg [N [ITERATIONS]]     N^3 interior points, fixed number of iterations
 *
 * A is the 7-point Laplacian with zero Dirichlet boundary, b = 1, x0 = 0. The grid is
 * cut into slabs of z-planes; each iteration exchanges the halo planes of p and reduces
 * two dot products. A dot product is summed plane by plane and the plane sums travel in
 * an MPI_Allreduce of one slot per global plane, zero except where the owner wrote it;
 * adding zeros is exact, so every rank count yields bitwise the same iterates. */
#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app_arguments.h"

enum { DEFAULT_EDGE = 128, DEFAULT_ITERATIONS = 150, MAX_EDGE = 1024 };

typedef struct {
  int n, first_plane, planes; /* planes z in [first_plane, first_plane + planes) */
  int below, above;           /* neighbour ranks or MPI_PROC_NULL */
  size_t plane_size;
  double* plane_sums; /* one slot per global plane */
} Slab;

static Slab make_slab(int n, int rank, int size) {
  Slab s;
  s.n = n;
  s.first_plane = (int)((long)n * rank / size);
  s.planes = (int)((long)n * (rank + 1) / size) - s.first_plane;
  s.below = rank > 0 ? rank - 1 : MPI_PROC_NULL;
  s.above = rank < size - 1 ? rank + 1 : MPI_PROC_NULL;
  s.plane_size = (size_t)n * (size_t)n;
  s.plane_sums = malloc(sizeof(double) * (size_t)n);
  return s;
}

/* A vector with one ghost plane below and one above the owned planes, all zero. */
static double* new_vector(const Slab* s) {
  return calloc((size_t)(s->planes + 2) * s->plane_size, sizeof(double));
}

static double dot(const Slab* s, const double* a, const double* b) {
  memset(s->plane_sums, 0, sizeof(double) * (size_t)s->n);
  for (int z = 1; z <= s->planes; ++z) {
    double sum = 0.0;
    for (size_t at = z * s->plane_size; at < (z + 1) * s->plane_size; ++at) sum += a[at] * b[at];
    s->plane_sums[s->first_plane + z - 1] = sum;
  }
  MPI_Allreduce(MPI_IN_PLACE, s->plane_sums, s->n, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
  double total = 0.0;
  for (int z = 0; z < s->n; ++z) total += s->plane_sums[z];
  return total;
}

static void exchange_halo(const Slab* s, double* v) {
  const int count = (int)s->plane_size;
  double* lowest = v + s->plane_size;
  double* highest = v + (size_t)s->planes * s->plane_size;
  MPI_Sendrecv(lowest, count, MPI_DOUBLE, s->below, 0, highest + s->plane_size, count,
               MPI_DOUBLE, s->above, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  MPI_Sendrecv(highest, count, MPI_DOUBLE, s->above, 1, v, count, MPI_DOUBLE, s->below, 1,
               MPI_COMM_WORLD, MPI_STATUS_IGNORE);
}

/* out = A v on the owned planes; v's ghost planes must be current. */
static void apply_laplacian(const Slab* s, const double* v, double* out) {
  const int n = s->n;
  const size_t plane = s->plane_size;
  for (int z = 1; z <= s->planes; ++z) {
    for (int y = 0; y < n; ++y) {
      for (int x = 0; x < n; ++x) {
        const size_t at = z * plane + (size_t)y * n + x;
        double neighbours = v[at - plane] + v[at + plane];
        neighbours += y > 0 ? v[at - n] : 0.0;
        neighbours += y < n - 1 ? v[at + n] : 0.0;
        neighbours += x > 0 ? v[at - 1] : 0.0;
        neighbours += x < n - 1 ? v[at + 1] : 0.0;
        out[at] = 6.0 * v[at] - neighbours;
      }
    }
  }
}

static void axpy(const Slab* s, double alpha, const double* x, double* y) {
  for (size_t at = s->plane_size; at < (s->planes + 1) * s->plane_size; ++at)
    y[at] += alpha * x[at];
}

static void xpby(const Slab* s, const double* x, double beta, double* y) {
  for (size_t at = s->plane_size; at < (s->planes + 1) * s->plane_size; ++at)
    y[at] = x[at] + beta * y[at];
}

/* Runs the iterations from x = 0 with r = p = b; returns the recursive residual norm. */
static double solve(const Slab* s, double* x, double* r, double* p, double* q, int iterations) {
  double rr = dot(s, r, r);
  for (int it = 0; it < iterations && rr > 0.0; ++it) {
    exchange_halo(s, p);
    apply_laplacian(s, p, q);
    const double alpha = rr / dot(s, p, q);
    axpy(s, alpha, p, x);
    axpy(s, -alpha, q, r);
    const double rr_next = dot(s, r, r);
    xpby(s, r, rr_next / rr, p);
    rr = rr_next;
  }
  return sqrt(rr);
}

/* || b - A x || with b = 1, computed from scratch; clobbers q. */
static double true_residual(const Slab* s, double* x, double* q) {
  exchange_halo(s, x);
  apply_laplacian(s, x, q);
  for (size_t at = s->plane_size; at < (s->planes + 1) * s->plane_size; ++at)
    q[at] = 1.0 - q[at];
  return sqrt(dot(s, q, q));
}

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0, size = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  AppCount sizes[] = {{"N", MAX_EDGE, DEFAULT_EDGE}, {"ITERATIONS", 1000000L, DEFAULT_ITERATIONS}};
  if (app_parse_counts("cg", argc, argv, sizes, 2, rank == 0) != 0 || sizes[0].value < size) {
    if (rank == 0)
      fprintf(stderr, "usage: cg [N [ITERATIONS]] (N >= number of ranks, at most %d)\n",
              MAX_EDGE);
    MPI_Finalize();
    return 2;
  }
  const long n = sizes[0].value, iterations = sizes[1].value;

  Slab s = make_slab((int)n, rank, size);
  double* x = new_vector(&s);
  double* r = new_vector(&s);
  double* p = new_vector(&s);
  double* q = new_vector(&s);
  for (size_t at = s.plane_size; at < (s.planes + 1) * s.plane_size; ++at) r[at] = p[at] = 1.0;
  const double initial = sqrt((double)n * (double)n * (double)n);

  MPI_Barrier(MPI_COMM_WORLD);
  const double start = MPI_Wtime();
  const double residual = solve(&s, x, r, p, q, (int)iterations);
  MPI_Barrier(MPI_COMM_WORLD);
  const double elapsed = MPI_Wtime() - start;

  const double recomputed = true_residual(&s, x, q);
  int status = 0;
  if (rank == 0) {
    if (!(residual < initial)) {
      fprintf(stderr, "cg: self-check failed: residual %.6e did not fall below %.6e\n",
              residual, initial);
      status = 1;
    }
    if (!(fabs(recomputed - residual) <= 1e-8 * initial)) {
      fprintf(stderr, "cg: self-check failed: recursive residual %.6e, true residual %.6e\n",
              residual, recomputed);
      status = 1;
    }
    printf("result app=cg ranks=%d time=%.6f check=%.6e\n", size, elapsed, residual);
  }
  MPI_Bcast(&status, 1, MPI_INT, 0, MPI_COMM_WORLD);
  free(x);
  free(r);
  free(p);
  free(q);
  free(s.plane_sums);
  MPI_Finalize();
  return status;
}
