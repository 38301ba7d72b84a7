/* A latency-bound stencil like many CFD codes: every step exchanges halos with both
 * neighbours of a ring (Irecv, Isend, Waitall), updates its points, and reduces the
 * largest change with an Allreduce. Usage: halo [POINTS_PER_RANK [STEPS]] (4096, 2000).
 * Rank 0 prints "halo-step 0 MICROSECONDS" (per step) and "halo-residual 0 VALUE". */
#include <mpi.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0, size = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  const int points = argc > 1 ? atoi(argv[1]) : 4096;
  const int steps = argc > 2 ? atoi(argv[2]) : 2000;
  if (points < 1 || steps < 1) {
    if (rank == 0) fprintf(stderr, "usage: halo [POINTS_PER_RANK [STEPS]], both positive\n");
    MPI_Abort(MPI_COMM_WORLD, 2);
  }
  const int left = (rank + size - 1) % size, right = (rank + 1) % size;
  double* u = calloc((size_t)points + 2, sizeof(double));
  double* next = calloc((size_t)points + 2, sizeof(double));
  for (int i = 1; i <= points; ++i) u[i] = (double)((rank * points + i) % 17);
  double residual = 0, start = 0;
  for (int step = 0; step < steps; ++step) {
    if (step == steps / 10) start = MPI_Wtime();
    MPI_Request requests[4];
    MPI_Irecv(&u[0], 1, MPI_DOUBLE, left, 0, MPI_COMM_WORLD, &requests[0]);
    MPI_Irecv(&u[points + 1], 1, MPI_DOUBLE, right, 1, MPI_COMM_WORLD, &requests[1]);
    MPI_Isend(&u[points], 1, MPI_DOUBLE, right, 0, MPI_COMM_WORLD, &requests[2]);
    MPI_Isend(&u[1], 1, MPI_DOUBLE, left, 1, MPI_COMM_WORLD, &requests[3]);
    MPI_Waitall(4, requests, MPI_STATUSES_IGNORE);
    double change = 0;
    for (int i = 1; i <= points; ++i) {
      next[i] = 0.5 * u[i] + 0.25 * (u[i - 1] + u[i + 1]);
      change = fmax(change, fabs(next[i] - u[i]));
    }
    double* swap = u;
    u = next;
    next = swap;
    MPI_Allreduce(&change, &residual, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
  }
  const double per_step = (MPI_Wtime() - start) * 1e6 / (steps - steps / 10);
  if (rank == 0) printf("halo-step 0 %.3f\nhalo-residual 0 %.6g\n", per_step, residual);
  free(u);
  free(next);
  MPI_Finalize();
  return 0;
}
