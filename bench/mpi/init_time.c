/* Time spent in MPI_Init, measured inside the program; rank 0 prints
 * "init_ms SIZE MS", the slowest rank's time. */
#include <mpi.h>
#include <stdio.h>
#include <time.h>

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

int main(int argc, char** argv) {
  const double before = now_ms();
  MPI_Init(&argc, &argv);
  const double init_ms = now_ms() - before;
  int rank = 0, size = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  double slowest = 0;
  MPI_Reduce(&init_ms, &slowest, 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
  if (rank == 0) printf("init_ms %d %.3f\n", size, slowest);
  MPI_Finalize();
  return 0;
}
