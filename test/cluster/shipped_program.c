/* Prints, for each rank, its node, the file it runs from and what its private library
 * says; rank 0 prints every line in rank order. With the argument "spawn", the ranks then
 * spawn a child of the same program, whose line rank 0 prints too. */
#include <mpi.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

const char* shipped_greeting(void);

static void describe(const char* role, int rank, int size, char* line, size_t capacity) {
  char node[MPI_MAX_PROCESSOR_NAME] = "";
  int length = 0;
  MPI_Get_processor_name(node, &length);
  char executable[4096] = "";
  const ssize_t n = readlink("/proc/self/exe", executable, sizeof executable - 1);
  if (n > 0) executable[n] = '\0';
  snprintf(line, capacity, "%s %d of %d on %s runs %s: %s", role, rank, size, node, executable, shipped_greeting());
}

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0, size = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  char line[8192];
  MPI_Comm parent = MPI_COMM_NULL;
  MPI_Comm_get_parent(&parent);
  if (parent != MPI_COMM_NULL) {
    describe("child", rank, size, line, sizeof line);
    MPI_Send(line, (int)strlen(line) + 1, MPI_CHAR, 0, 0, parent);
    MPI_Comm_disconnect(&parent);
    MPI_Finalize();
    return 0;
  }
  describe("rank", rank, size, line, sizeof line);
  if (rank == 0) {
    puts(line);
    for (int from = 1; from < size; ++from) {
      MPI_Recv(line, sizeof line, MPI_CHAR, from, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      puts(line);
    }
  } else {
    MPI_Send(line, (int)strlen(line) + 1, MPI_CHAR, 0, 0, MPI_COMM_WORLD);
  }
  if (argc > 1 && strcmp(argv[1], "spawn") == 0) {
    MPI_Comm child = MPI_COMM_NULL;
    MPI_Comm_spawn(argv[0], MPI_ARGV_NULL, 1, MPI_INFO_NULL, 0, MPI_COMM_WORLD, &child, MPI_ERRCODES_IGNORE);
    if (rank == 0) {
      MPI_Recv(line, sizeof line, MPI_CHAR, 0, 0, child, MPI_STATUS_IGNORE);
      puts(line);
    }
    MPI_Comm_disconnect(&child);
  }
  fflush(stdout);
  MPI_Finalize();
  return 0;
}
