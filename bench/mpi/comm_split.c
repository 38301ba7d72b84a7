/* MPI_Comm_split + MPI_Comm_free in a loop on MPI_COMM_WORLD (some ranks passing
 * MPI_UNDEFINED), and MPI_Comm_dup + MPI_Comm_free: rank 0 prints "split 0 USEC" and
 * "dup 0 USEC", the time of one creation and free. */
#include <mpi.h>
#include <stdio.h>

static double split_us(int rounds, int rank) {
  MPI_Barrier(MPI_COMM_WORLD);
  const double start = MPI_Wtime();
  for (int round = 0; round < rounds; ++round) {
    const int color = (rank + round) % 3 == 0 ? MPI_UNDEFINED : (rank + round) % 2;
    MPI_Comm comm;
    MPI_Comm_split(MPI_COMM_WORLD, color, rank, &comm);
    if (comm != MPI_COMM_NULL) MPI_Comm_free(&comm);
  }
  return (MPI_Wtime() - start) * 1e6 / rounds;
}

static double dup_us(int rounds) {
  MPI_Barrier(MPI_COMM_WORLD);
  const double start = MPI_Wtime();
  for (int round = 0; round < rounds; ++round) {
    MPI_Comm comm;
    MPI_Comm_dup(MPI_COMM_WORLD, &comm);
    MPI_Comm_free(&comm);
  }
  return (MPI_Wtime() - start) * 1e6 / rounds;
}

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  split_us(100, rank);
  const double split = split_us(5000, rank);
  const double dup = dup_us(5000);
  if (rank == 0) printf("split 0 %.2f\ndup 0 %.2f\n", split, dup);
  fflush(stdout);
  MPI_Finalize();
  return 0;
}
