/* The rank given by argv[1] calls exit(3) after a barrier; the others wait in a receive. */
#include "fault_target.h"

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank;
  int size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  int target = fault_target(argc, argv, size);
  MPI_Barrier(MPI_COMM_WORLD);
  if (rank == target) exit(3);
  int never;
  MPI_Recv(&never, 1, MPI_INT, target, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  MPI_Finalize();
  return 0;
}
