/* Non-contiguous messages streamed a piece at a time rather than packed whole, of many
   pieces each (80 - 160 MiB): a vector, an hvector of vectors, an indexed type, a struct
   and a resized type, point to point and in a nonblocking broadcast, received whole, as
   plain bytes, into a larger buffer, and through a matched probe. */
#include "mpi_check.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { BLOCKS = 10 * 1024 * 1024 }; /* 80 MiB of every-other long long in the vector */

static unsigned long long checksum(const long long *data, size_t n) {
  unsigned long long sum = 0;
  for (size_t i = 0; i < n; ++i) sum = sum * 1000003 + (unsigned long long)data[i];
  return sum;
}

static void fill(long long *data, size_t n, int salt) {
  for (size_t i = 0; i < n; ++i) data[i] = (long long)i * 7 + salt;
}

/* Sends `count` of `type` from rank 0 to rank 1 (and the others), received with the same
   type over a buffer of -1; prints the checksum of what arrived and the status counts. */
static void exchange(const char *what, MPI_Datatype type, int count, size_t span, int use_probe) {
  const int rank = world_rank(), size = world_size();
  long long *data = malloc(sizeof(long long) * span);
  CHECK(data != NULL, "allocation");
  if (rank == 0) {
    fill(data, span, 3);
    for (int peer = 1; peer < size; ++peer) CHECK_MPI(MPI_Send(data, count, type, peer, 5, MPI_COMM_WORLD));
  } else {
    for (size_t i = 0; i < span; ++i) data[i] = -1;
    MPI_Status status;
    if (use_probe) {
      MPI_Message message;
      CHECK_MPI(MPI_Mprobe(0, 5, MPI_COMM_WORLD, &message, &status));
      CHECK_MPI(MPI_Mrecv(data, count, type, &message, &status));
    } else {
      CHECK_MPI(MPI_Recv(data, count, type, 0, 5, MPI_COMM_WORLD, &status));
    }
    int received = -1;
    MPI_Count elements = -1;
    CHECK_MPI(MPI_Get_count(&status, type, &received));
    CHECK_MPI(MPI_Get_elements_x(&status, type, &elements));
    out("%s: count %d elements %lld checksum %llu", what, received, (long long)elements, checksum(data, span));
  }
  free(data);
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  const int rank = world_rank(), size = world_size();

  MPI_Datatype vector;
  CHECK_MPI(MPI_Type_vector(BLOCKS, 1, 2, MPI_LONG_LONG, &vector));
  CHECK_MPI(MPI_Type_commit(&vector));
  exchange("vector", vector, 1, 2 * (size_t)BLOCKS, 0);
  exchange("vector through a matched probe", vector, 1, 2 * (size_t)BLOCKS, 1);

  /* Two elements of a resized vector: the second starts one long long after the first. */
  MPI_Datatype resized;
  CHECK_MPI(MPI_Type_create_resized(vector, 0, sizeof(long long), &resized));
  CHECK_MPI(MPI_Type_commit(&resized));
  exchange("resized, two elements", resized, 2, 2 * (size_t)BLOCKS + 1, 0);

  /* An hvector of 4 vectors of 3 long long, 16 apart, repeated every 64 long long. */
  MPI_Datatype inner, outer;
  CHECK_MPI(MPI_Type_vector(4, 3, 16, MPI_LONG_LONG, &inner));
  CHECK_MPI(MPI_Type_create_hvector(BLOCKS / 8, 1, 64 * sizeof(long long), inner, &outer));
  CHECK_MPI(MPI_Type_commit(&outer));
  exchange("hvector of vectors", outer, 1, (size_t)BLOCKS * 8, 0);

  /* An indexed type of a few large blocks, and a struct of it with a double. */
  int lengths[3] = {BLOCKS / 2, BLOCKS, BLOCKS / 4};
  int displacements[3] = {BLOCKS * 2, 0, BLOCKS * 3};
  MPI_Datatype indexed;
  CHECK_MPI(MPI_Type_indexed(3, lengths, displacements, MPI_LONG_LONG, &indexed));
  CHECK_MPI(MPI_Type_commit(&indexed));
  exchange("indexed", indexed, 1, (size_t)BLOCKS * 4, 0);
  int struct_lengths[2] = {1, 1};
  MPI_Aint struct_displacements[2] = {0, (MPI_Aint)sizeof(long long) * BLOCKS * 4};
  MPI_Datatype struct_types[2] = {indexed, MPI_LONG_LONG};
  MPI_Datatype structure;
  CHECK_MPI(MPI_Type_create_struct(2, struct_lengths, struct_displacements, struct_types, &structure));
  CHECK_MPI(MPI_Type_commit(&structure));
  exchange("struct", structure, 1, (size_t)BLOCKS * 4 + 1, 0);

  /* Sent as a vector, received as plain long longs into a buffer larger than the message. */
  {
    long long *data = malloc(sizeof(long long) * 2 * (size_t)BLOCKS);
    if (rank == 0) {
      fill(data, 2 * (size_t)BLOCKS, 11);
      for (int peer = 1; peer < size; ++peer) CHECK_MPI(MPI_Send(data, 1, vector, peer, 6, MPI_COMM_WORLD));
    } else {
      MPI_Status status;
      CHECK_MPI(MPI_Recv(data, 2 * BLOCKS, MPI_LONG_LONG, 0, 6, MPI_COMM_WORLD, &status));
      int received = -1;
      CHECK_MPI(MPI_Get_count(&status, MPI_LONG_LONG, &received));
      out("vector into plain data: count %d checksum %llu", received, checksum(data, (size_t)BLOCKS));
    }
    free(data);
  }

  /* A short message into a streamed receive: only its part of the buffer changes. */
  {
    long long *data = malloc(sizeof(long long) * 2 * (size_t)BLOCKS);
    if (rank == 0) {
      fill(data, 2 * (size_t)BLOCKS, 13);
      for (int peer = 1; peer < size; ++peer)
        CHECK_MPI(MPI_Send(data, BLOCKS / 3 + 1, MPI_LONG_LONG, peer, 7, MPI_COMM_WORLD));
    } else {
      for (size_t i = 0; i < 2 * (size_t)BLOCKS; ++i) data[i] = -1;
      MPI_Status status;
      CHECK_MPI(MPI_Recv(data, 1, vector, 0, 7, MPI_COMM_WORLD, &status));
      MPI_Count elements = -1;
      CHECK_MPI(MPI_Get_elements_x(&status, vector, &elements));
      out("short message into a vector: elements %lld checksum %llu", (long long)elements,
          checksum(data, 2 * (size_t)BLOCKS));
    }
    free(data);
  }

  /* A nonblocking broadcast of the vector, its type freed before it completes. */
  {
    long long *data = malloc(sizeof(long long) * 2 * (size_t)BLOCKS);
    if (rank == 0) fill(data, 2 * (size_t)BLOCKS, 17);
    else for (size_t i = 0; i < 2 * (size_t)BLOCKS; ++i) data[i] = -1;
    MPI_Datatype copy;
    CHECK_MPI(MPI_Type_dup(vector, &copy));
    MPI_Request request;
    CHECK_MPI(MPI_Ibcast(data, 1, copy, 0, MPI_COMM_WORLD, &request));
    CHECK_MPI(MPI_Type_free(&copy));
    CHECK_MPI(MPI_Wait(&request, MPI_STATUS_IGNORE));
    if (rank != 0) {
      unsigned long long sum = 0;
      for (size_t i = 0; i < (size_t)BLOCKS; ++i) sum = sum * 1000003 + (unsigned long long)data[2 * i];
      out("ibcast of a vector: checksum %llu", sum);
    }
    free(data);
  }

  MPI_Type_free(&structure);
  MPI_Type_free(&indexed);
  MPI_Type_free(&outer);
  MPI_Type_free(&inner);
  MPI_Type_free(&resized);
  MPI_Type_free(&vector);
  finish("streamed_datatypes");
  return 0;
}
