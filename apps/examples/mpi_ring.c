/* An ordinary MPI program: a token travels around MPI_COMM_WORLD, every rank adds its
 * rank to it, and an Allreduce checks the sum. Under `ferry run` some ranks are function
 * ranks on leased executors; the program cannot tell. */
#include <mpi.h>
#include <stdio.h>

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0, size = 0, length = 0;
  char host[MPI_MAX_PROCESSOR_NAME];
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  MPI_Get_processor_name(host, &length);

  long token = 0;
  if (rank != 0) MPI_Recv(&token, 1, MPI_LONG, rank - 1, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  token += rank;
  MPI_Send(&token, 1, MPI_LONG, (rank + 1) % size, 0, MPI_COMM_WORLD);
  if (rank == 0) MPI_Recv(&token, 1, MPI_LONG, size - 1, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  MPI_Bcast(&token, 1, MPI_LONG, 0, MPI_COMM_WORLD);

  long sum = 0;
  const long mine = rank;
  MPI_Allreduce(&mine, &sum, 1, MPI_LONG, MPI_SUM, MPI_COMM_WORLD);
  printf("rank %d of %d on %s: ring token %ld, allreduce %ld\n", rank, size, host, token, sum);
  MPI_Finalize();
  return token == sum ? 0 : 1;
}
