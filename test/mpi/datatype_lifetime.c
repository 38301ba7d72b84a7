/* Derived datatypes freed while operations that use them are pending: the operations
   complete with the type as it was when they started (MPI_Type_free only marks it). */
#include "mpi_check.h"

#include <stdlib.h>

enum { ELEMENTS = 64, STRIDE = 2, ROUNDS = 3 };

/* Every other int of a buffer of 2 * ELEMENTS. */
static MPI_Datatype every_other(void) {
  MPI_Datatype type;
  CHECK_MPI(MPI_Type_vector(ELEMENTS, 1, STRIDE, MPI_INT, &type));
  CHECK_MPI(MPI_Type_commit(&type));
  return type;
}

static int value(int sender, int round, int i) { return sender * 100000 + round * 1000 + i; }

static void fill(int *buffer, int sender, int round) {
  for (int i = 0; i < ELEMENTS * STRIDE; ++i) buffer[i] = -1;
  for (int i = 0; i < ELEMENTS; ++i) buffer[i * STRIDE] = value(sender, round, i);
}

/* Counts the elements that hold what `sender` sent in `round`, and the gaps left alone. */
static void verify(const int *buffer, int sender, int round, const char *what) {
  int right = 0, gaps = 0;
  for (int i = 0; i < ELEMENTS; ++i) {
    right += buffer[i * STRIDE] == value(sender, round, i);
    gaps += buffer[i * STRIDE + 1] == -7;
  }
  CHECK_INT(right, ELEMENTS, what);
  CHECK_INT(gaps, ELEMENTS, what);
}

static void clear(int *buffer) {
  for (int i = 0; i < ELEMENTS * STRIDE; ++i) buffer[i] = -7;
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  const int rank = world_rank(), size = world_size();
  const int next = (rank + 1) % size, prev = (rank + size - 1) % size;
  int *in = malloc(sizeof(int) * ELEMENTS * STRIDE * ROUNDS);
  int *outgoing = malloc(sizeof(int) * ELEMENTS * STRIDE * ROUNDS);

  /* Free right after posting: the receive is posted before the message is sent. */
  for (int round = 0; round < ROUNDS; ++round) {
    MPI_Datatype type = every_other();
    MPI_Request requests[2];
    clear(in);
    fill(outgoing, rank, round);
    CHECK_MPI(MPI_Irecv(in, 1, type, prev, round, MPI_COMM_WORLD, &requests[0]));
    CHECK_MPI(MPI_Type_free(&type));
    CHECK(type == MPI_DATATYPE_NULL, "MPI_Type_free must set the handle to MPI_DATATYPE_NULL");
    CHECK_MPI(MPI_Barrier(MPI_COMM_WORLD));
    type = every_other();
    CHECK_MPI(MPI_Isend(outgoing, 1, type, next, round, MPI_COMM_WORLD, &requests[1]));
    CHECK_MPI(MPI_Type_free(&type));
    CHECK_MPI(MPI_Waitall(2, requests, MPI_STATUSES_IGNORE));
    verify(in, prev, round, "receive with a type freed after posting");
  }
  out("free after posting: ok");

  /* Several receives with one type, the type freed between posts, then one Waitall. */
  {
    MPI_Datatype type = every_other();
    MPI_Request requests[2 * ROUNDS];
    for (int round = 0; round < ROUNDS; ++round) clear(in + round * ELEMENTS * STRIDE);
    for (int round = 0; round < ROUNDS; ++round) {
      CHECK_MPI(MPI_Irecv(in + round * ELEMENTS * STRIDE, 1, type, prev, 10 + round, MPI_COMM_WORLD,
                          &requests[round]));
      if (round == 0) {
        MPI_Datatype keep = type;
        CHECK_MPI(MPI_Type_dup(keep, &type));
        CHECK_MPI(MPI_Type_free(&keep));
      }
    }
    CHECK_MPI(MPI_Type_free(&type));
    for (int round = 0; round < ROUNDS; ++round) {
      MPI_Datatype send_type = every_other();
      fill(outgoing + round * ELEMENTS * STRIDE, rank, round);
      CHECK_MPI(MPI_Isend(outgoing + round * ELEMENTS * STRIDE, 1, send_type, next, 10 + round, MPI_COMM_WORLD,
                          &requests[ROUNDS + round]));
      CHECK_MPI(MPI_Type_free(&send_type));
    }
    CHECK_MPI(MPI_Waitall(2 * ROUNDS, requests, MPI_STATUSES_IGNORE));
    for (int round = 0; round < ROUNDS; ++round)
      verify(in + round * ELEMENTS * STRIDE, prev, round, "receives posted around a freed type");
  }
  out("free between posts: ok");

  /* Persistent requests keep their type across Start/Wait cycles. */
  {
    MPI_Datatype type = every_other();
    MPI_Request requests[2];
    CHECK_MPI(MPI_Recv_init(in, 1, type, prev, 20, MPI_COMM_WORLD, &requests[0]));
    CHECK_MPI(MPI_Send_init(outgoing, 1, type, next, 20, MPI_COMM_WORLD, &requests[1]));
    CHECK_MPI(MPI_Type_free(&type));
    for (int round = 0; round < ROUNDS; ++round) {
      clear(in);
      fill(outgoing, rank, round);
      CHECK_MPI(MPI_Startall(2, requests));
      CHECK_MPI(MPI_Waitall(2, requests, MPI_STATUSES_IGNORE));
      verify(in, prev, round, "persistent receive with a freed type");
    }
    CHECK_MPI(MPI_Request_free(&requests[0]));
    CHECK_MPI(MPI_Request_free(&requests[1]));
  }
  out("persistent: ok");

  /* A nonblocking collective whose type is freed before it completes. */
  {
    MPI_Datatype type = every_other();
    MPI_Request request;
    if (rank == 0) fill(in, 0, 7);
    else clear(in);
    CHECK_MPI(MPI_Ibcast(in, 1, type, 0, MPI_COMM_WORLD, &request));
    CHECK_MPI(MPI_Type_free(&type));
    CHECK_MPI(MPI_Wait(&request, MPI_STATUS_IGNORE));
    if (rank == 0) {
      for (int i = 0; i < ELEMENTS; ++i) in[i * STRIDE + 1] = -7;
    }
    verify(in, 0, 7, "Ibcast with a freed type");
  }
  out("nonblocking collective: ok");

  /* A matched probe's receive with a type freed before the message is received. */
  {
    MPI_Datatype type = every_other();
    MPI_Message message;
    MPI_Request requests[2];
    clear(in);
    fill(outgoing, rank, 9);
    CHECK_MPI(MPI_Isend(outgoing, 1, type, next, 30, MPI_COMM_WORLD, &requests[1]));
    CHECK_MPI(MPI_Mprobe(prev, 30, MPI_COMM_WORLD, &message, MPI_STATUS_IGNORE));
    CHECK_MPI(MPI_Imrecv(in, 1, type, &message, &requests[0]));
    CHECK_MPI(MPI_Type_free(&type));
    CHECK_MPI(MPI_Waitall(2, requests, MPI_STATUSES_IGNORE));
    verify(in, prev, 9, "Imrecv with a freed type");
  }
  out("matched probe: ok");

  free(in);
  free(outgoing);
  finish("datatype_lifetime");
  return 0;
}
