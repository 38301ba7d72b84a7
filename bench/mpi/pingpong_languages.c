/* The C half of pingpong_languages.f90: the same 8-byte ping-pong through the C binding. */
#include <mpi.h>

/* Seconds for `round_trips` 8-byte round trips between ranks 0 and 1 of MPI_COMM_WORLD. */
double c_round_trips(int rank, int round_trips) {
  char buffer[8] = {0};
  const double start = MPI_Wtime();
  for (int i = 0; i < round_trips; ++i) {
    if (rank == 0) {
      MPI_Send(buffer, 8, MPI_CHAR, 1, 1, MPI_COMM_WORLD);
      MPI_Recv(buffer, 8, MPI_CHAR, 1, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    } else {
      MPI_Recv(buffer, 8, MPI_CHAR, 0, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      MPI_Send(buffer, 8, MPI_CHAR, 0, 1, MPI_COMM_WORLD);
    }
  }
  return MPI_Wtime() - start;
}
