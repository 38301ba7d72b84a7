/* Message rate of 8 B sends from one thread, at the thread level named by argv[1]
 * ("single" or "multiple"): what MPI_THREAD_MULTIPLE costs a program that asks for it
 * but calls MPI from one thread. Rank 0 sends windows of 64 Isends, rank 1 receives them
 * with Irecvs and acknowledges each window. Rank 0 prints "rate-LEVEL 8 MESSAGES_PER_US". */
#include <mpi.h>
#include <stdio.h>
#include <string.h>

enum { window = 64, warmup = 100, windows = 4000 };

int main(int argc, char** argv) {
  const int multiple = argc > 1 && strcmp(argv[1], "multiple") == 0;
  int provided = 0;
  MPI_Init_thread(&argc, &argv, multiple ? MPI_THREAD_MULTIPLE : MPI_THREAD_SINGLE, &provided);
  int rank = 0, size = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  if (size != 2 || (multiple && provided != MPI_THREAD_MULTIPLE)) {
    if (rank == 0) fprintf(stderr, "message_rate needs 2 ranks (has %d) and the thread level it asks for\n", size);
    MPI_Abort(MPI_COMM_WORLD, 2);
  }
  char buffers[window][8];
  MPI_Request requests[window];
  double start = 0;
  for (int i = 0; i < warmup + windows; ++i) {
    if (i == warmup) start = MPI_Wtime();
    for (int w = 0; w < window; ++w) {
      if (rank == 0) {
        MPI_Isend(buffers[w], 8, MPI_CHAR, 1, 1, MPI_COMM_WORLD, &requests[w]);
      } else {
        MPI_Irecv(buffers[w], 8, MPI_CHAR, 0, 1, MPI_COMM_WORLD, &requests[w]);
      }
    }
    MPI_Waitall(window, requests, MPI_STATUSES_IGNORE);
    if (rank == 0) {
      MPI_Recv(NULL, 0, MPI_CHAR, 1, 2, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    } else {
      MPI_Send(NULL, 0, MPI_CHAR, 0, 2, MPI_COMM_WORLD);
    }
  }
  const double seconds = MPI_Wtime() - start;
  if (rank == 0) printf("rate-%s 8 %.3f\n", multiple ? "multiple" : "single", (double)window * windows / seconds / 1e6);
  MPI_Finalize();
  return 0;
}
