/* A contiguous message larger than 2 GiB: rank 0 sends 2^31 + 8 bytes of long long to
   every other rank, which check every element and what MPI_Get_count and
   MPI_Get_elements_x report. Needs about 2.1 GiB per rank. */
#include "mpi_check.h"

#include <stdint.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  const int rank = world_rank(), size = world_size();
  const int count = (int)((((int64_t)1 << 31) + 8) / (int64_t)sizeof(long long));
  long long *data = malloc(sizeof(long long) * (size_t)count);
  CHECK(data != NULL, "rank %d could not allocate %zu bytes", rank, sizeof(long long) * (size_t)count);
  if (rank == 0) {
    for (int i = 0; i < count; ++i) data[i] = (long long)i * 3 + 1;
    for (int peer = 1; peer < size; ++peer) CHECK_MPI(MPI_Send(data, count, MPI_LONG_LONG, peer, 1, MPI_COMM_WORLD));
  } else {
    for (int i = 0; i < count; ++i) data[i] = -1;
    MPI_Status status;
    CHECK_MPI(MPI_Recv(data, count, MPI_LONG_LONG, 0, 1, MPI_COMM_WORLD, &status));
    int received = -1;
    MPI_Count elements = -1;
    CHECK_MPI(MPI_Get_count(&status, MPI_LONG_LONG, &received));
    CHECK_MPI(MPI_Get_elements_x(&status, MPI_LONG_LONG, &elements));
    long long wrong = 0;
    for (int i = 0; i < count; ++i) wrong += data[i] != (long long)i * 3 + 1;
    out("received count %d elements %lld wrong %lld", received, (long long)elements, wrong);
  }
  free(data);
  finish("large_message");
  return 0;
}
