/* Point-to-point bandwidth from rank 0 to rank 1 (osu_bw): a window of nonblocking sends
 * at a time, each window acknowledged by a short reply. Rank 0 prints
 * "bandwidth SIZE MBPS" (10^6 bytes per second) for 8 B..4 MiB. */
#include "osu.h"

enum { window = 64 };

int main(int argc, char** argv) {
  char *send = NULL, *receive = NULL;
  const int rank = osu_point_to_point_init(&argc, &argv, "bandwidth", &send, &receive);
  MPI_Request requests[window];
  char ack = 0;
  for (int bytes = osu_min_size; bytes <= osu_point_to_point_max_size; bytes *= 2) {
    const int iterations = bytes <= (64 << 10) ? 50 : 10, warmup = 2;
    /* The window's messages share one buffer, as osu_bw's do. */
    MPI_Barrier(MPI_COMM_WORLD);
    double start = MPI_Wtime();
    for (int i = 0; i < warmup + iterations; ++i) {
      if (i == warmup) start = MPI_Wtime();
      if (rank == 0) {
        for (int w = 0; w < window; ++w) MPI_Isend(send, bytes, MPI_CHAR, 1, 2, MPI_COMM_WORLD, &requests[w]);
        MPI_Waitall(window, requests, MPI_STATUSES_IGNORE);
        MPI_Recv(&ack, 1, MPI_CHAR, 1, 3, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      } else if (rank == 1) {
        for (int w = 0; w < window; ++w) MPI_Irecv(receive, bytes, MPI_CHAR, 0, 2, MPI_COMM_WORLD, &requests[w]);
        MPI_Waitall(window, requests, MPI_STATUSES_IGNORE);
        MPI_Send(&ack, 1, MPI_CHAR, 0, 3, MPI_COMM_WORLD);
      }
    }
    const double seconds = MPI_Wtime() - start;
    if (rank == 0) printf("bandwidth %d %.1f\n", bytes, (double)bytes * window * iterations / seconds / 1e6);
  }
  free(send);
  free(receive);
  MPI_Finalize();
  return 0;
}
