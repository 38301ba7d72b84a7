/* 2D Jacobi heat stencil on a Cartesian process grid.
 *
 *   jacobi [N [ITERATIONS]]     N x N interior points, fixed number of sweeps
 *
 * The top edge is held at 1, the other edges at 0. Every RESIDUAL_INTERVAL sweeps the
 * largest change of a point is reduced with MPI_MAX. Each point is updated by the same
 * expression whatever the decomposition, so the final grid is bitwise identical for any
 * rank count; the checksum sums it in fixed point (integer addition is associative). */
#include <math.h>
#include <mpi.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app_arguments.h"

enum { RESIDUAL_INTERVAL = 100, SERIAL_CHECK_LIMIT = 256, MAX_EDGE = 20000 };
enum { DEFAULT_EDGE = 1024, DEFAULT_ITERATIONS = 1000 };
static const double FIXED_POINT_SCALE = 4294967296.0;

typedef struct {
  MPI_Comm cart;
  int north, south, west, east;
  int row0, col0; /* global index of the first interior point */
  int rows, cols; /* interior points held here */
  MPI_Datatype column;
} Domain;

static int block_start(int n, int parts, int index) {
  return (int)((long)n * index / parts);
}

static Domain make_domain(int edge) {
  Domain d;
  int size = 0, dims[2] = {0, 0}, periods[2] = {0, 0}, coords[2];
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  MPI_Dims_create(size, 2, dims);
  MPI_Cart_create(MPI_COMM_WORLD, 2, dims, periods, 0, &d.cart);
  int rank = 0;
  MPI_Comm_rank(d.cart, &rank);
  MPI_Cart_coords(d.cart, rank, 2, coords);
  MPI_Cart_shift(d.cart, 0, 1, &d.north, &d.south);
  MPI_Cart_shift(d.cart, 1, 1, &d.west, &d.east);
  d.row0 = block_start(edge, dims[0], coords[0]);
  d.rows = block_start(edge, dims[0], coords[0] + 1) - d.row0;
  d.col0 = block_start(edge, dims[1], coords[1]);
  d.cols = block_start(edge, dims[1], coords[1] + 1) - d.col0;
  MPI_Type_vector(d.rows, 1, d.cols + 2, MPI_DOUBLE, &d.column);
  MPI_Type_commit(&d.column);
  return d;
}

/* Interior starts at 0, the ghost row above the top edge carries the boundary value 1. */
static void initialise(double* u, int rows, int cols, int touches_top) {
  memset(u, 0, sizeof(double) * (size_t)(rows + 2) * (size_t)(cols + 2));
  if (touches_top)
    for (int j = 1; j <= cols; ++j) u[j] = 1.0;
}

static void exchange_halo(const Domain* d, double* u) {
  const int stride = d->cols + 2;
  double* first_row = u + stride + 1;
  double* last_row = u + (size_t)d->rows * stride + 1;
  MPI_Sendrecv(first_row, d->cols, MPI_DOUBLE, d->north, 0, last_row + stride, d->cols,
               MPI_DOUBLE, d->south, 0, d->cart, MPI_STATUS_IGNORE);
  MPI_Sendrecv(last_row, d->cols, MPI_DOUBLE, d->south, 1, first_row - stride, d->cols,
               MPI_DOUBLE, d->north, 1, d->cart, MPI_STATUS_IGNORE);
  MPI_Sendrecv(u + stride + 1, 1, d->column, d->west, 2, u + stride + d->cols + 1, 1,
               d->column, d->east, 2, d->cart, MPI_STATUS_IGNORE);
  MPI_Sendrecv(u + stride + d->cols, 1, d->column, d->east, 3, u + stride, 1, d->column,
               d->west, 3, d->cart, MPI_STATUS_IGNORE);
}

/* One sweep from u into next; returns the largest change of a point. */
static double sweep(const double* u, double* next, int rows, int cols) {
  const int stride = cols + 2;
  double change = 0.0;
  for (int i = 1; i <= rows; ++i) {
    for (int j = 1; j <= cols; ++j) {
      const int at = i * stride + j;
      const double value = 0.25 * (u[at - stride] + u[at + stride] + u[at - 1] + u[at + 1]);
      change = fmax(change, fabs(value - u[at]));
      next[at] = value;
    }
  }
  return change;
}

static int64_t fixed_point_sum(const double* u, int rows, int cols) {
  int64_t sum = 0;
  for (int i = 1; i <= rows; ++i)
    for (int j = 1; j <= cols; ++j) sum += llround(u[i * (cols + 2) + j] * FIXED_POINT_SCALE);
  return sum;
}

static int64_t serial_reference(int edge, int iterations) {
  double* u = malloc(sizeof(double) * (size_t)(edge + 2) * (size_t)(edge + 2));
  double* next = malloc(sizeof(double) * (size_t)(edge + 2) * (size_t)(edge + 2));
  initialise(u, edge, edge, 1);
  initialise(next, edge, edge, 1);
  for (int it = 0; it < iterations; ++it) {
    sweep(u, next, edge, edge);
    double* swap = u;
    u = next;
    next = swap;
  }
  int64_t sum = fixed_point_sum(u, edge, edge);
  free(u);
  free(next);
  return sum;
}

/* Runs the sweeps; returns 0, or 1 if the residual ever grew. */
static int solve(const Domain* d, double** grid, double** spare, int iterations,
                 double* residual) {
  int grew = 0;
  double previous = INFINITY;
  for (int it = 1; it <= iterations; ++it) {
    exchange_halo(d, *grid);
    const double change = sweep(*grid, *spare, d->rows, d->cols);
    double* swap = *grid;
    *grid = *spare;
    *spare = swap;
    if (it % RESIDUAL_INTERVAL == 0 || it == iterations) {
      MPI_Allreduce(&change, residual, 1, MPI_DOUBLE, MPI_MAX, d->cart);
      if (*residual > previous) grew = 1;
      previous = *residual;
    }
  }
  return grew;
}

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0, size = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  AppCount sizes[] = {{"N", MAX_EDGE, DEFAULT_EDGE}, {"ITERATIONS", 1000000000L, DEFAULT_ITERATIONS}};
  if (app_parse_counts("jacobi", argc, argv, sizes, 2, rank == 0) != 0 || sizes[0].value < size) {
    if (rank == 0)
      fprintf(stderr, "usage: jacobi [N [ITERATIONS]] (N >= number of ranks, at most %d)\n",
              MAX_EDGE);
    MPI_Finalize();
    return 2;
  }
  const long edge = sizes[0].value, iterations = sizes[1].value;

  Domain d = make_domain((int)edge);
  const size_t points = (size_t)(d.rows + 2) * (size_t)(d.cols + 2);
  double* grid = malloc(sizeof(double) * points);
  double* spare = malloc(sizeof(double) * points);
  initialise(grid, d.rows, d.cols, d.row0 == 0);
  initialise(spare, d.rows, d.cols, d.row0 == 0);

  double residual = 0.0;
  MPI_Barrier(d.cart);
  const double start = MPI_Wtime();
  const int grew = solve(&d, &grid, &spare, (int)iterations, &residual);
  MPI_Barrier(d.cart);
  const double elapsed = MPI_Wtime() - start;

  const int64_t local = fixed_point_sum(grid, d.rows, d.cols);
  int64_t checksum = 0;
  MPI_Reduce(&local, &checksum, 1, MPI_INT64_T, MPI_SUM, 0, d.cart);
  int status = 0;
  if (rank == 0) {
    if (grew) {
      fprintf(stderr, "jacobi: self-check failed: the residual grew between reductions\n");
      status = 1;
    }
    if (edge <= SERIAL_CHECK_LIMIT && serial_reference((int)edge, (int)iterations) != checksum) {
      fprintf(stderr, "jacobi: self-check failed: checksum differs from the serial sweep\n");
      status = 1;
    }
    if (checksum < 0 || (double)checksum > FIXED_POINT_SCALE * (double)edge * (double)edge) {
      fprintf(stderr, "jacobi: self-check failed: grid values left [0, 1]\n");
      status = 1;
    }
    printf("result app=jacobi ranks=%d time=%.6f check=%.9e\n", size, elapsed,
           (double)checksum / FIXED_POINT_SCALE);
  }
  MPI_Bcast(&status, 1, MPI_INT, 0, d.cart);
  free(grid);
  free(spare);
  MPI_Type_free(&d.column);
  MPI_Comm_free(&d.cart);
  MPI_Finalize();
  return status;
}
