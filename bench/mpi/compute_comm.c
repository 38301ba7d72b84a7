/* A compute-and-communicate loop (a 1-D stencil with halo exchange and a residual
 * allreduce); rank 0 prints "compute_comm_s SECONDS" and a checksum. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

enum { cells = 1 << 16, steps = 2000 };

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0, size = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  double* u = calloc(cells + 2, sizeof(double));
  double* next = calloc(cells + 2, sizeof(double));
  for (int i = 1; i <= cells; ++i) u[i] = (double)((i * 7 + rank * 13) % 101);
  const int left = rank == 0 ? MPI_PROC_NULL : rank - 1;
  const int right = rank == size - 1 ? MPI_PROC_NULL : rank + 1;
  MPI_Barrier(MPI_COMM_WORLD);
  const double start = MPI_Wtime();
  double residual = 0;
  for (int step = 0; step < steps; ++step) {
    MPI_Sendrecv(&u[1], 1, MPI_DOUBLE, left, 0, &u[cells + 1], 1, MPI_DOUBLE, right, 0, MPI_COMM_WORLD,
                 MPI_STATUS_IGNORE);
    MPI_Sendrecv(&u[cells], 1, MPI_DOUBLE, right, 1, &u[0], 1, MPI_DOUBLE, left, 1, MPI_COMM_WORLD,
                 MPI_STATUS_IGNORE);
    double local = 0;
    for (int i = 1; i <= cells; ++i) {
      next[i] = 0.25 * u[i - 1] + 0.5 * u[i] + 0.25 * u[i + 1];
      local += (next[i] - u[i]) * (next[i] - u[i]);
    }
    double* swap = u;
    u = next;
    next = swap;
    MPI_Allreduce(&local, &residual, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
  }
  const double seconds = MPI_Wtime() - start;
  if (rank == 0) printf("compute_comm_s %.6f\nchecksum %.6e\n", seconds, residual);
  free(u);
  free(next);
  MPI_Finalize();
  return 0;
}
