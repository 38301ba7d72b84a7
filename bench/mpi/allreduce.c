/* MPI_Allreduce of 8 bytes (one double) on every rank; rank 0 prints
 * "allreduce 8 USEC" (mean time per call). */
#include <mpi.h>
#include <stdio.h>

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  const int warmup = 100, count = 2000;
  double in = rank, out = 0, start = 0;
  for (int i = 0; i < warmup + count; ++i) {
    if (i == warmup) {
      MPI_Barrier(MPI_COMM_WORLD);
      start = MPI_Wtime();
    }
    MPI_Allreduce(&in, &out, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
  }
  const double per_call_us = (MPI_Wtime() - start) * 1e6 / count;
  double slowest = 0;
  MPI_Reduce(&per_call_us, &slowest, 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
  if (rank == 0) printf("allreduce 8 %.3f\n", slowest);
  MPI_Finalize();
  return 0;
}
