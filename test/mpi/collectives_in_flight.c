/* Several nonblocking collectives in flight at once on one communicator and on
   duplicates of it, completed in another order than they were started; MPI_Comm_idup
   overlapping other idups and other traffic. */
#include "mpi_check.h"

#include <stdlib.h>
#include <string.h>

enum { KINDS = 7, COUNT = 37 };

struct Slot {
  MPI_Request request;
  int kind;
  int *send;
  int *receive;
  MPI_Comm comm;
};

static const char *kind_names[KINDS] = {"ibarrier", "ibcast",   "iallreduce", "iallgather",
                                        "ialltoall", "ireduce", "iscan"};

static void start(struct Slot *slot, int kind, MPI_Comm comm, int salt) {
  int rank, size;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  slot->kind = kind;
  slot->comm = comm;
  slot->send = malloc(sizeof(int) * COUNT * (size_t)size);
  slot->receive = malloc(sizeof(int) * COUNT * (size_t)size);
  for (int i = 0; i < COUNT * size; ++i) {
    slot->send[i] = salt * 1000 + rank * 100 + i;
    slot->receive[i] = -1;
  }
  switch (kind) {
    case 0: CHECK_MPI(MPI_Ibarrier(comm, &slot->request)); break;
    case 1:
      if (rank == 1 % size) memcpy(slot->receive, slot->send, sizeof(int) * COUNT);
      CHECK_MPI(MPI_Ibcast(slot->receive, COUNT, MPI_INT, 1 % size, comm, &slot->request));
      break;
    case 2:
      CHECK_MPI(MPI_Iallreduce(slot->send, slot->receive, COUNT, MPI_INT, MPI_SUM, comm, &slot->request));
      break;
    case 3:
      CHECK_MPI(MPI_Iallgather(slot->send, COUNT, MPI_INT, slot->receive, COUNT, MPI_INT, comm, &slot->request));
      break;
    case 4:
      CHECK_MPI(MPI_Ialltoall(slot->send, COUNT, MPI_INT, slot->receive, COUNT, MPI_INT, comm, &slot->request));
      break;
    case 5:
      CHECK_MPI(MPI_Ireduce(slot->send, slot->receive, COUNT, MPI_INT, MPI_MAX, 0, comm, &slot->request));
      break;
    case 6:
      CHECK_MPI(MPI_Iscan(slot->send, slot->receive, COUNT, MPI_INT, MPI_SUM, comm, &slot->request));
      break;
  }
}

static unsigned long long digest(struct Slot *slot) {
  int rank, size;
  MPI_Comm_rank(slot->comm, &rank);
  MPI_Comm_size(slot->comm, &size);
  unsigned long long sum = 0;
  int n = slot->kind == 3 || slot->kind == 4 ? COUNT * size : COUNT;
  if (slot->kind == 0 || (slot->kind == 5 && rank != 0)) n = 0;
  for (int i = 0; i < n; ++i) sum = sum * 31 + (unsigned long long)slot->receive[i];
  free(slot->send);
  free(slot->receive);
  return sum;
}

/* Starts every kind on three communicators in an order of its own, then completes them
   by polling MPI_Testany (and once by MPI_Test in reverse order). */
static void in_flight(int round) {
  MPI_Comm comms[3];
  comms[0] = MPI_COMM_WORLD;
  CHECK_MPI(MPI_Comm_dup(MPI_COMM_WORLD, &comms[1]));
  CHECK_MPI(MPI_Comm_dup(comms[1], &comms[2]));
  struct Slot slots[3 * KINDS];
  MPI_Request requests[3 * KINDS];
  int n = 0;
  for (int c = 0; c < 3; ++c) {
    for (int k = 0; k < KINDS; ++k) {
      int kind = (k * (c + 2) + round) % KINDS;
      start(&slots[n], kind, comms[c], round * 100 + c * 10 + k);
      requests[n] = slots[n].request;
      ++n;
    }
  }
  unsigned long long digests[3 * KINDS];
  if (round % 2 == 0) {
    for (int done = 0; done < n; ++done) {
      int index = MPI_UNDEFINED, flag = 0;
      while (!flag) CHECK_MPI(MPI_Testany(n, requests, &index, &flag, MPI_STATUS_IGNORE));
      CHECK(index != MPI_UNDEFINED, "testany found nothing with requests left");
      digests[index] = digest(&slots[index]);
    }
  } else {
    for (int i = n - 1; i >= 0; --i) {
      int flag = 0;
      while (!flag) CHECK_MPI(MPI_Test(&requests[i], &flag, MPI_STATUS_IGNORE));
      digests[i] = digest(&slots[i]);
    }
  }
  for (int i = 0; i < n; ++i) out("round %d comm %d %s: %llu", round, i / KINDS, kind_names[slots[i].kind], digests[i]);
  CHECK_MPI(MPI_Comm_free(&comms[2]));
  CHECK_MPI(MPI_Comm_free(&comms[1]));
}

static int allreduce_rank(MPI_Comm comm) {
  int rank, sum = 0;
  CHECK_MPI(MPI_Comm_rank(comm, &rank));
  CHECK_MPI(MPI_Allreduce(&rank, &sum, 1, MPI_INT, MPI_SUM, comm));
  return sum;
}

/* idups on two communicators started in opposite orders by even and odd ranks. */
static void overlapping_idups(void) {
  const int rank = world_rank(), size = world_size();
  MPI_Comm a, b, dup_a, dup_b;
  MPI_Request requests[2];
  CHECK_MPI(MPI_Comm_dup(MPI_COMM_WORLD, &a));
  CHECK_MPI(MPI_Comm_dup(MPI_COMM_WORLD, &b));
  if (rank % 2 == 0) {
    CHECK_MPI(MPI_Comm_idup(a, &dup_a, &requests[0]));
    CHECK_MPI(MPI_Comm_idup(b, &dup_b, &requests[1]));
  } else {
    CHECK_MPI(MPI_Comm_idup(b, &dup_b, &requests[1]));
    CHECK_MPI(MPI_Comm_idup(a, &dup_a, &requests[0]));
  }
  CHECK_MPI(MPI_Waitall(2, requests, MPI_STATUSES_IGNORE));
  out("overlapping idups: %d %d", allreduce_rank(dup_a), allreduce_rank(dup_b));
  int result;
  CHECK_MPI(MPI_Comm_compare(dup_a, a, &result));
  CHECK_INT(result, MPI_CONGRUENT, "idup is congruent with its parent");
  CHECK_MPI(MPI_Comm_free(&dup_a));
  CHECK_MPI(MPI_Comm_free(&dup_b));

  /* Rank 0 starts an idup, then sends on another communicator before it waits; the
     others receive that message before they start the idup. */
  MPI_Comm dup;
  MPI_Request request;
  int token = 0;
  if (rank == 0) {
    CHECK_MPI(MPI_Comm_idup(a, &dup, &request));
    for (int r = 1; r < size; ++r) {
      token = 40 + r;
      CHECK_MPI(MPI_Send(&token, 1, MPI_INT, r, 0, b));
    }
  } else {
    CHECK_MPI(MPI_Recv(&token, 1, MPI_INT, 0, 0, b, MPI_STATUS_IGNORE));
    CHECK_MPI(MPI_Comm_idup(a, &dup, &request));
  }
  CHECK_MPI(MPI_Wait(&request, MPI_STATUS_IGNORE));
  out("idup then traffic: token %d sum %d", token, allreduce_rank(dup));
  CHECK_MPI(MPI_Comm_free(&dup));

  /* idup of a communicator made with MPI_Comm_create_group, with the parent in use meanwhile. */
  MPI_Group world_group, evens;
  CHECK_MPI(MPI_Comm_group(MPI_COMM_WORLD, &world_group));
  int range[1][3] = {{0, size - 1, 2}};
  CHECK_MPI(MPI_Group_range_incl(world_group, 1, range, &evens));
  if (rank % 2 == 0) {
    MPI_Comm even_comm, even_dup;
    CHECK_MPI(MPI_Comm_create_group(MPI_COMM_WORLD, evens, 7, &even_comm));
    CHECK_MPI(MPI_Comm_idup(even_comm, &even_dup, &request));
    int sum_before = allreduce_rank(a);
    (void)sum_before;
    CHECK_MPI(MPI_Wait(&request, MPI_STATUS_IGNORE));
    out("idup of a create_group communicator: %d", allreduce_rank(even_dup));
    CHECK_MPI(MPI_Comm_free(&even_dup));
    CHECK_MPI(MPI_Comm_free(&even_comm));
  } else {
    allreduce_rank(a);
    out("idup of a create_group communicator: not a member");
  }
  CHECK_MPI(MPI_Group_free(&evens));
  CHECK_MPI(MPI_Group_free(&world_group));
  CHECK_MPI(MPI_Comm_free(&a));
  CHECK_MPI(MPI_Comm_free(&b));
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  for (int round = 0; round < 6; ++round) {
    in_flight(round);
    out_flush();
  }
  overlapping_idups();
  finish("collectives_in_flight");
  return 0;
}
