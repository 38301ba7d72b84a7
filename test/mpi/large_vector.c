/* A vector datatype that describes more than 2 GiB: every other long long of a 4 GiB
   array, sent from rank 0 to every other rank, which check every element and what
   MPI_Get_count and MPI_Get_elements_x report. Needs about 4.3 GiB per rank. */
#include "mpi_check.h"

#include <stdint.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  const int rank = world_rank(), size = world_size();
  const int64_t elements = ((int64_t)1 << 28) + 1; /* 2 GiB + 8 bytes of data */
  long long *data = malloc(sizeof(long long) * (size_t)(2 * elements));
  CHECK(data != NULL, "rank %d could not allocate the array", rank);
  MPI_Datatype every_other;
  CHECK_MPI(MPI_Type_vector((int)elements, 1, 2, MPI_LONG_LONG, &every_other));
  CHECK_MPI(MPI_Type_commit(&every_other));
  if (rank == 0) {
    for (int64_t i = 0; i < 2 * elements; ++i) data[i] = i;
    for (int peer = 1; peer < size; ++peer) CHECK_MPI(MPI_Send(data, 1, every_other, peer, 1, MPI_COMM_WORLD));
  } else {
    for (int64_t i = 0; i < 2 * elements; ++i) data[i] = -1;
    MPI_Status status;
    CHECK_MPI(MPI_Recv(data, 1, every_other, 0, 1, MPI_COMM_WORLD, &status));
    int count = -1;
    MPI_Count count_x = -1;
    CHECK_MPI(MPI_Get_count(&status, every_other, &count));
    CHECK_MPI(MPI_Get_elements_x(&status, MPI_LONG_LONG, &count_x));
    long long wrong = 0;
    for (int64_t i = 0; i < elements; ++i) wrong += data[2 * i] != 2 * i || data[2 * i + 1] != -1;
    out("received count %d elements %lld wrong %lld", count, (long long)count_x, wrong);
  }
  CHECK_MPI(MPI_Type_free(&every_other));
  free(data);
  finish("large_vector");
  return 0;
}
