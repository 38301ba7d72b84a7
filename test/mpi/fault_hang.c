/* Every rank but the one given by argv[1] waits forever in a receive from its neighbour;
   that rank sleeps for an hour. Used to test what happens when a lease is lost. */
#include "fault_target.h"

#include <unistd.h>

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank;
  int size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  int target = fault_target(argc, argv, size);
  MPI_Barrier(MPI_COMM_WORLD);
  if (rank == target) {
    sleep(3600);
  } else {
    int never;
    MPI_Recv(&never, 1, MPI_INT, (rank + 1) % size, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  }
  MPI_Finalize();
  return 0;
}
