/* Ping-pong latency and windowed bandwidth between ranks 0 and 1, 8 B to 4 MiB.
 * Rank 0 prints "latency BYTES USEC" (half round trip) and "bandwidth BYTES MBPS"
 * (a window of 64 Isend/Irecv, acknowledged by a zero-byte message). */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

enum { window = 64, min_bytes = 8, max_bytes = 4 << 20 };

/* Small messages take a microsecond: 1000 of them are over before the ranks' caches and
 * the cores' clocks have settled, and the first size measured moved 3x between runs. */
static int iterations(int bytes) { return bytes <= 4096 ? 20000 : bytes <= 65536 ? 1000 : 100; }

static double latency_us(char* buffer, int bytes, int rank) {
  const int count = iterations(bytes), warmup = count / 10;
  double start = 0;
  for (int i = 0; i < warmup + count; ++i) {
    if (i == warmup) start = MPI_Wtime();
    if (rank == 0) {
      MPI_Send(buffer, bytes, MPI_CHAR, 1, 1, MPI_COMM_WORLD);
      MPI_Recv(buffer, bytes, MPI_CHAR, 1, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    } else {
      MPI_Recv(buffer, bytes, MPI_CHAR, 0, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      MPI_Send(buffer, bytes, MPI_CHAR, 0, 1, MPI_COMM_WORLD);
    }
  }
  return (MPI_Wtime() - start) * 1e6 / (2.0 * count);
}

static double bandwidth_mbps(char* buffer, int bytes, int rank) {
  const int warmup = 2, count = bytes <= 65536 ? 50 : 10;
  MPI_Request requests[window];
  double start = 0;
  for (int i = 0; i < warmup + count; ++i) {
    if (i == warmup) start = MPI_Wtime();
    for (int w = 0; w < window; ++w) {
      if (rank == 0) {
        MPI_Isend(buffer, bytes, MPI_CHAR, 1, 2, MPI_COMM_WORLD, &requests[w]);
      } else {
        MPI_Irecv(buffer, bytes, MPI_CHAR, 0, 2, MPI_COMM_WORLD, &requests[w]);
      }
    }
    MPI_Waitall(window, requests, MPI_STATUSES_IGNORE);
    if (rank == 0) {
      MPI_Recv(NULL, 0, MPI_CHAR, 1, 3, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    } else {
      MPI_Send(NULL, 0, MPI_CHAR, 0, 3, MPI_COMM_WORLD);
    }
  }
  const double seconds = MPI_Wtime() - start;
  return (double)bytes * window * count / seconds / 1e6;
}

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0, size = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  if (size != 2) {
    if (rank == 0) fprintf(stderr, "pingpong needs exactly 2 ranks, not %d\n", size);
    MPI_Abort(MPI_COMM_WORLD, 2);
  }
  char* buffer = malloc(max_bytes);
  for (int bytes = min_bytes; bytes <= max_bytes; bytes *= 2) {
    const double latency = latency_us(buffer, bytes, rank);
    const double bandwidth = bandwidth_mbps(buffer, bytes, rank);
    if (rank == 0) printf("latency %d %.3f\nbandwidth %d %.1f\n", bytes, latency, bytes, bandwidth);
  }
  fflush(stdout);
  free(buffer);
  MPI_Finalize();
  return 0;
}
