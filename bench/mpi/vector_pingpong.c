/* Ping-pong of non-contiguous data between ranks 0 and 1: every other long long of an
 * array, as one element of a vector type, for 64 KiB to 64 MiB of data. Rank 0 prints
 * "vector BYTES MBPS" (bytes of data moved one way per second). */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

enum { min_bytes = 64 << 10, max_bytes = 64 << 20 };

static double vector_mbps(long long* data, int bytes, int rank) {
  const int blocks = bytes / (int)sizeof(long long);
  const int warmup = 1, count = bytes <= (1 << 20) ? 50 : bytes <= (16 << 20) ? 10 : 3;
  MPI_Datatype every_other;
  MPI_Type_vector(blocks, 1, 2, MPI_LONG_LONG, &every_other);
  MPI_Type_commit(&every_other);
  double start = 0;
  for (int i = 0; i < warmup + count; ++i) {
    if (i == warmup) start = MPI_Wtime();
    if (rank == 0) {
      MPI_Send(data, 1, every_other, 1, 1, MPI_COMM_WORLD);
      MPI_Recv(data, 1, every_other, 1, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    } else {
      MPI_Recv(data, 1, every_other, 0, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      MPI_Send(data, 1, every_other, 0, 1, MPI_COMM_WORLD);
    }
  }
  const double seconds = MPI_Wtime() - start;
  MPI_Type_free(&every_other);
  return (double)bytes * 2.0 * count / seconds / 1e6;
}

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0, size = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  if (size != 2) {
    if (rank == 0) fprintf(stderr, "vector_pingpong needs exactly 2 ranks, not %d\n", size);
    MPI_Abort(MPI_COMM_WORLD, 2);
  }
  long long* data = malloc(2 * (size_t)max_bytes);
  for (size_t i = 0; i < 2 * (size_t)max_bytes / sizeof(long long); ++i) data[i] = (long long)i;
  for (int bytes = min_bytes; bytes <= max_bytes; bytes *= 4) {
    const double mbps = vector_mbps(data, bytes, rank);
    if (rank == 0) printf("vector %d %.1f\n", bytes, mbps);
  }
  fflush(stdout);
  free(data);
  MPI_Finalize();
  return 0;
}
