/* Fault injection for the rank-offload fault tests:
 *   fault_rank RANK MODE
 * Every rank reports that it is ready, then rank RANK fails in the way MODE names
 * (crash, exit, abort, hang) while the others wait for a message that never comes.
 * MODE "wait" makes every rank wait, so the test can take the job's resources away.
 * MODE "late-exit" has every rank finalize, then rank RANK exit with code 5. */
#include <mpi.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void fail(const char* mode) {
  if (strcmp(mode, "crash") == 0) raise(SIGSEGV);
  if (strcmp(mode, "exit") == 0) exit(3);
  if (strcmp(mode, "abort") == 0) MPI_Abort(MPI_COMM_WORLD, 7);
  if (strcmp(mode, "hang") == 0) {
    for (;;) pause();
  }
}

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  if (argc != 3) {
    fprintf(stderr, "usage: fault_rank RANK crash|exit|abort|hang|wait\n");
    MPI_Abort(MPI_COMM_WORLD, 2);
  }
  const int faulty = atoi(argv[1]);
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  printf("rank %d ready\n", rank);
  fflush(stdout);
  MPI_Barrier(MPI_COMM_WORLD);
  if (strcmp(argv[2], "late-exit") == 0) {
    MPI_Finalize();
    return rank == faulty ? 5 : 0;
  }
  if (rank == faulty) fail(argv[2]);
  int never = 0;
  MPI_Recv(&never, 1, MPI_INT, MPI_ANY_SOURCE, 99, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  MPI_Finalize();
  return 0;
}
