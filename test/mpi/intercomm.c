/* Intercommunicators: MPI_Intercomm_create between the even and the odd ranks of
   MPI_COMM_WORLD, their queries, point-to-point between the groups (wildcards, probes,
   nonblocking, sendrecv), MPI_Intercomm_merge in both orders, and MPI_Comm_dup, _split
   and _create of an intercommunicator. */
#include <stdlib.h>
#include <string.h>

#include "mpi_check.h"

static int is_even(void) { return world_rank() % 2 == 0; }

/* The world rank of rank r of the even (or odd) group. */
static int world_of(int even, int r) { return 2 * r + (even ? 0 : 1); }

static void check_queries(MPI_Comm inter, int local_size, int remote_size) {
  int flag = 0, size = 0, rsize = 0, cmp = 0;
  CHECK_MPI(MPI_Comm_test_inter(inter, &flag));
  CHECK_INT(flag, 1, "test_inter");
  CHECK_MPI(MPI_Comm_test_inter(MPI_COMM_WORLD, &flag));
  CHECK_INT(flag, 0, "test_inter(world)");
  CHECK_MPI(MPI_Comm_size(inter, &size));
  CHECK_MPI(MPI_Comm_remote_size(inter, &rsize));
  CHECK_INT(size, local_size, "local size");
  CHECK_INT(rsize, remote_size, "remote size");
  /* The remote group holds the other parity's world ranks, in order. */
  MPI_Group remote, world_group;
  CHECK_MPI(MPI_Comm_remote_group(inter, &remote));
  CHECK_MPI(MPI_Comm_group(MPI_COMM_WORLD, &world_group));
  int *ranks = malloc(sizeof(int) * (size_t)rsize), *translated = malloc(sizeof(int) * (size_t)rsize);
  for (int r = 0; r < rsize; ++r) ranks[r] = r;
  CHECK_MPI(MPI_Group_translate_ranks(remote, rsize, ranks, world_group, translated));
  for (int r = 0; r < rsize; ++r) CHECK_INT(translated[r], world_of(!is_even(), r), "remote member");
  MPI_Group local;
  CHECK_MPI(MPI_Comm_group(inter, &local));
  CHECK_MPI(MPI_Group_compare(local, remote, &cmp));
  CHECK_INT(cmp, MPI_UNEQUAL, "local vs remote group");
  free(ranks);
  free(translated);
  MPI_Group_free(&local);
  MPI_Group_free(&remote);
  MPI_Group_free(&world_group);
  out("queries: local %d remote %d", size, rsize);
}

/* Every rank sends its world rank to every remote rank, then receives one message from
   each remote rank with MPI_ANY_SOURCE and checks the sources. */
static void exchange_all(MPI_Comm inter, int tag) {
  int rank, rsize;
  MPI_Comm_rank(inter, &rank);
  MPI_Comm_remote_size(inter, &rsize);
  MPI_Request *requests = malloc(sizeof(MPI_Request) * (size_t)rsize);
  int *sent = malloc(sizeof(int) * (size_t)rsize);
  for (int r = 0; r < rsize; ++r) {
    sent[r] = 1000 * world_rank() + r;
    CHECK_MPI(MPI_Isend(&sent[r], 1, MPI_INT, r, tag, inter, &requests[r]));
  }
  long sum = 0;
  unsigned seen = 0;
  for (int i = 0; i < rsize; ++i) {
    MPI_Status status;
    int flag = 0, value = -1, count = 0;
    CHECK_MPI(MPI_Probe(MPI_ANY_SOURCE, tag, inter, &status));
    CHECK(status.MPI_SOURCE >= 0 && status.MPI_SOURCE < rsize, "probe source %d", status.MPI_SOURCE);
    CHECK_MPI(MPI_Iprobe(status.MPI_SOURCE, tag, inter, &flag, MPI_STATUS_IGNORE));
    CHECK_INT(flag, 1, "iprobe after probe");
    /* Any source, but this tag: a remote rank may already be on its next step. */
    CHECK_MPI(MPI_Recv(&value, 1, MPI_INT, MPI_ANY_SOURCE, tag, inter, &status));
    CHECK_MPI(MPI_Get_count(&status, MPI_INT, &count));
    CHECK_INT(count, 1, "count");
    CHECK_INT(status.MPI_TAG, tag, "tag");
    CHECK_INT(value, 1000 * world_of(!is_even(), status.MPI_SOURCE) + rank, "value from the remote rank");
    seen |= 1U << status.MPI_SOURCE;
    sum += value;
  }
  CHECK_INT(seen, (1U << rsize) - 1, "a message from every remote rank");
  CHECK_MPI(MPI_Waitall(rsize, requests, MPI_STATUSES_IGNORE));
  out("exchange tag %d: sum %ld", tag, sum);
  free(requests);
  free(sent);
}

static void check_sendrecv(MPI_Comm inter) {
  int rank, rsize;
  MPI_Comm_rank(inter, &rank);
  MPI_Comm_remote_size(inter, &rsize);
  /* Rank r of each group pairs with rank r of the other when it exists. */
  if (rank >= rsize) return;
  double mine[3] = {world_rank(), world_rank() + 0.5, -1.0}, theirs[3];
  MPI_Status status;
  CHECK_MPI(MPI_Sendrecv(mine, 3, MPI_DOUBLE, rank, 7, theirs, 3, MPI_DOUBLE, rank, 7, inter, &status));
  CHECK_INT(status.MPI_SOURCE, rank, "sendrecv source");
  CHECK_INT((int)theirs[0], world_of(!is_even(), rank), "sendrecv value");
  int replaced = world_rank();
  CHECK_MPI(MPI_Sendrecv_replace(&replaced, 1, MPI_INT, rank, 8, rank, 8, inter, MPI_STATUS_IGNORE));
  CHECK_INT(replaced, world_of(!is_even(), rank), "sendrecv_replace value");
  /* MPI_PROC_NULL is allowed on an intercommunicator too. */
  CHECK_MPI(MPI_Send(mine, 1, MPI_DOUBLE, MPI_PROC_NULL, 0, inter));
  out("sendrecv with remote rank %d: %.1f", rank, theirs[1]);
}

/* The merged communicator: `low_first` says whether the even group comes first. */
static void check_merge(MPI_Comm inter, int high, int even_first) {
  MPI_Comm merged;
  CHECK_MPI(MPI_Intercomm_merge(inter, high, &merged));
  int rank, size, flag;
  MPI_Comm_rank(merged, &rank);
  MPI_Comm_size(merged, &size);
  MPI_Comm_test_inter(merged, &flag);
  CHECK_INT(flag, 0, "merged is an intracommunicator");
  CHECK_INT(size, world_size(), "merged size");
  const int evens = (world_size() + 1) / 2, odds = world_size() / 2;
  const int group_rank = world_rank() / 2;
  int expected;
  if (is_even()) {
    expected = even_first ? group_rank : odds + group_rank;
  } else {
    expected = even_first ? evens + group_rank : group_rank;
  }
  CHECK_INT(rank, expected, "rank in the merged communicator");
  int sum = 0, one = world_rank();
  CHECK_MPI(MPI_Allreduce(&one, &sum, 1, MPI_INT, MPI_SUM, merged));
  CHECK_INT(sum, world_size() * (world_size() - 1) / 2, "allreduce on merged");
  /* A ring on the merged communicator. */
  int left = (rank + size - 1) % size, right = (rank + 1) % size, got = -1;
  CHECK_MPI(MPI_Sendrecv(&rank, 1, MPI_INT, right, 3, &got, 1, MPI_INT, left, 3, merged, MPI_STATUS_IGNORE));
  CHECK_INT(got, left, "ring on merged");
  out("merge high=%d: rank %d of %d", high, rank, size);
  CHECK_MPI(MPI_Comm_free(&merged));
}

static void check_dup(MPI_Comm inter) {
  MPI_Comm copy;
  CHECK_MPI(MPI_Comm_dup(inter, &copy));
  int flag = 0;
  MPI_Comm_test_inter(copy, &flag);
  CHECK_INT(flag, 1, "dup is an intercommunicator");
  /* Messages on the copy and on the original do not mix. */
  int rank, rsize;
  MPI_Comm_rank(copy, &rank);
  MPI_Comm_remote_size(copy, &rsize);
  int a = 1, b = 2, got_a = 0, got_b = 0;
  const int peer = rank % rsize;
  MPI_Request requests[2];
  CHECK_MPI(MPI_Isend(&a, 1, MPI_INT, peer, 5, inter, &requests[0]));
  CHECK_MPI(MPI_Isend(&b, 1, MPI_INT, peer, 5, copy, &requests[1]));
  /* Remote ranks r with r % local_size == rank send to this rank. */
  int size;
  MPI_Comm_size(copy, &size);
  for (int r = 0; r < rsize; ++r) {
    if (r % size != rank) continue;
    CHECK_MPI(MPI_Recv(&got_b, 1, MPI_INT, r, 5, copy, MPI_STATUS_IGNORE));
    CHECK_MPI(MPI_Recv(&got_a, 1, MPI_INT, r, 5, inter, MPI_STATUS_IGNORE));
    CHECK_INT(got_a, 1, "message on the original");
    CHECK_INT(got_b, 2, "message on the copy");
  }
  CHECK_MPI(MPI_Waitall(2, requests, MPI_STATUSES_IGNORE));
  MPI_Comm idup;
  MPI_Request request;
  CHECK_MPI(MPI_Comm_idup(inter, &idup, &request));
  CHECK_MPI(MPI_Wait(&request, MPI_STATUS_IGNORE));
  MPI_Comm_test_inter(idup, &flag);
  CHECK_INT(flag, 1, "idup is an intercommunicator");
  CHECK_MPI(MPI_Comm_free(&idup));
  CHECK_MPI(MPI_Comm_free(&copy));
  out("dup ok");
}

/* Split by the parity of the rank within each group; key reverses the order. */
static void check_split(MPI_Comm inter) {
  int rank, size, rsize;
  MPI_Comm_rank(inter, &rank);
  MPI_Comm_size(inter, &size);
  MPI_Comm_remote_size(inter, &rsize);
  MPI_Comm part;
  CHECK_MPI(MPI_Comm_split(inter, rank % 2, -rank, &part));
  const int remote_of_color = (rsize + 1 - rank % 2) / 2;
  if (remote_of_color == 0) {
    CHECK(part == MPI_COMM_NULL, "no remote rank of this color: MPI_COMM_NULL");
    out("split: no partner");
    return;
  }
  int prank, psize, prsize;
  MPI_Comm_rank(part, &prank);
  MPI_Comm_size(part, &psize);
  MPI_Comm_remote_size(part, &prsize);
  CHECK_INT(prsize, remote_of_color, "split remote size");
  /* Ping every remote rank of the part: it answers with its world rank. */
  int sum = 0;
  for (int r = 0; r < prsize; ++r) {
    int w = world_rank(), got = -1;
    CHECK_MPI(MPI_Sendrecv(&w, 1, MPI_INT, r, 9, &got, 1, MPI_INT, r, 9, part, MPI_STATUS_IGNORE));
    sum += got;
  }
  out("split color %d: rank %d of %d, remote %d, sum of remote world ranks %d", rank % 2, prank, psize, prsize, sum);
  CHECK_MPI(MPI_Comm_free(&part));

  /* MPI_Comm_create with the first rank of each group. */
  MPI_Group local, first;
  MPI_Comm_group(inter, &local);
  int zero = 0;
  MPI_Group_incl(local, 1, &zero, &first);
  MPI_Comm created;
  CHECK_MPI(MPI_Comm_create(inter, first, &created));
  if (rank == 0) {
    int rs = 0, w = world_rank(), got = -1;
    MPI_Comm_remote_size(created, &rs);
    CHECK_INT(rs, 1, "created remote size");
    CHECK_MPI(MPI_Sendrecv(&w, 1, MPI_INT, 0, 4, &got, 1, MPI_INT, 0, 4, created, MPI_STATUS_IGNORE));
    CHECK_INT(got, is_even() ? 1 : 0, "created partner");
    MPI_Comm_free(&created);
  } else {
    CHECK(created == MPI_COMM_NULL, "not in the group: MPI_COMM_NULL");
  }
  MPI_Group_free(&first);
  MPI_Group_free(&local);
  out("create ok");
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  CHECK(world_size() >= 2, "needs at least 2 ranks");
  MPI_Comm half, inter;
  CHECK_MPI(MPI_Comm_split(MPI_COMM_WORLD, world_rank() % 2, world_rank(), &half));
  /* Leaders: rank 0 of each half, world ranks 0 and 1. */
  CHECK_MPI(MPI_Intercomm_create(half, 0, MPI_COMM_WORLD, is_even() ? 1 : 0, 42, &inter));
  const int evens = (world_size() + 1) / 2, odds = world_size() / 2;
  check_queries(inter, is_even() ? evens : odds, is_even() ? odds : evens);
  exchange_all(inter, 11);
  exchange_all(inter, 12);
  check_sendrecv(inter);
  check_merge(inter, is_even() ? 0 : 1, 1);
  check_merge(inter, is_even() ? 1 : 0, 0);
  check_dup(inter);
  check_split(inter);
  /* The same intercommunicator again, from the other side's point of view: the odd
     group's leader is world rank 1 and the bridge is a duplicate of the world. */
  MPI_Comm bridge, again;
  CHECK_MPI(MPI_Comm_dup(MPI_COMM_WORLD, &bridge));
  CHECK_MPI(MPI_Intercomm_create(half, 0, bridge, is_even() ? 1 : 0, 43, &again));
  exchange_all(again, 13);
  CHECK_MPI(MPI_Comm_free(&again));
  CHECK_MPI(MPI_Comm_free(&bridge));
  CHECK_MPI(MPI_Comm_disconnect(&inter));
  CHECK(inter == MPI_COMM_NULL, "disconnect sets MPI_COMM_NULL");
  MPI_Comm_free(&half);
  finish("intercomm");
  return 0;
}
