/* Point-to-point latency between ranks 0 and 1 (osu_latency): ping-pong, half the round
 * trip. Rank 0 prints "latency SIZE USEC" for 8 B..4 MiB; other ranks only take part in
 * the barriers. */
#include "osu.h"

int main(int argc, char** argv) {
  char *send = NULL, *receive = NULL;
  const int rank = osu_point_to_point_init(&argc, &argv, "latency", &send, &receive);
  for (int bytes = osu_min_size; bytes <= osu_point_to_point_max_size; bytes *= 2) {
    const int iterations = 5 * osu_iterations(bytes), warmup = iterations / 10 + 1;
    MPI_Barrier(MPI_COMM_WORLD);
    double start = MPI_Wtime();
    for (int i = 0; i < warmup + iterations; ++i) {
      if (i == warmup) start = MPI_Wtime();
      if (rank == 0) {
        MPI_Send(send, bytes, MPI_CHAR, 1, 1, MPI_COMM_WORLD);
        MPI_Recv(receive, bytes, MPI_CHAR, 1, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      } else if (rank == 1) {
        MPI_Recv(receive, bytes, MPI_CHAR, 0, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        MPI_Send(send, bytes, MPI_CHAR, 0, 1, MPI_COMM_WORLD);
      }
    }
    if (rank == 0) printf("latency %d %.3f\n", bytes, (MPI_Wtime() - start) * 1e6 / (2.0 * iterations));
  }
  free(send);
  free(receive);
  MPI_Finalize();
  return 0;
}
