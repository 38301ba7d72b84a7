/* Prints, for each rank, its node, the file it runs from and what its private library
 * says; rank 0 prints every line in rank order. */
#include <mpi.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

const char* shipped_greeting(void);

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0, size = 0, length = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  char node[MPI_MAX_PROCESSOR_NAME] = "";
  MPI_Get_processor_name(node, &length);
  char executable[4096] = "";
  const ssize_t n = readlink("/proc/self/exe", executable, sizeof executable - 1);
  if (n > 0) executable[n] = '\0';
  char line[8192];
  snprintf(line, sizeof line, "rank %d of %d on %s runs %s: %s", rank, size, node, executable, shipped_greeting());
  if (rank == 0) {
    puts(line);
    for (int from = 1; from < size; ++from) {
      MPI_Recv(line, sizeof line, MPI_CHAR, from, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      puts(line);
    }
  } else {
    MPI_Send(line, (int)strlen(line) + 1, MPI_CHAR, 0, 0, MPI_COMM_WORLD);
  }
  MPI_Finalize();
  return 0;
}
