/* Every rank allocates MIB MiB with malloc and writes to each page of it:
 *   touch_memory MIB
 * A rank whose allocation fails says so and calls MPI_Abort, as an MPI program would. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  if (argc != 2) {
    fprintf(stderr, "usage: touch_memory MIB\n");
    MPI_Abort(MPI_COMM_WORLD, 2);
  }
  const size_t mib = strtoull(argv[1], NULL, 10);
  char* block = malloc(mib << 20);
  if (block == NULL) {
    fprintf(stderr, "rank %d: malloc of %zu MiB returned NULL\n", rank, mib);
    MPI_Abort(MPI_COMM_WORLD, 3);
  }
  memset(block, rank + 1, mib << 20);
  unsigned long sum = 0;
  for (size_t at = 0; at < mib << 20; at += 4096) sum += (unsigned char)block[at];
  free(block);
  printf("rank %d touched %zu MiB (%s)\n", rank, mib, sum == (unsigned long)(rank + 1) * (mib << 8) ? "ok" : "wrong");
  fflush(stdout);
  MPI_Barrier(MPI_COMM_WORLD);
  MPI_Finalize();
  return 0;
}
