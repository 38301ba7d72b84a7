/* MPI_Comm_spawn and MPI_Comm_spawn_multiple: the parents (MPI_COMM_WORLD of the job)
   spawn children of this same program, which find their parents with
   MPI_Comm_get_parent. Parents and children talk point to point across the
   intercommunicator, merge it and reduce over the merged communicator, and the
   children disconnect and finalize while the parents go on. A child started with
   "nest" spawns a grandchild of its own.

     spawn [COUNTS...]   each count spawns that many children in turn (default 1 2 4);
                         then one spawn_multiple of two commands. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpi_check.h"

/* Parents and children exchange values across `inter` and reduce over the merged
   communicator; returns the sum of the merged ranks' contributions. */
static long talk(MPI_Comm inter, int is_child, int tag_base) {
  int rank, size, remote;
  MPI_Comm_rank(inter, &rank);
  MPI_Comm_size(inter, &size);
  MPI_Comm_remote_size(inter, &remote);
  /* Every rank sends one value to every remote rank and receives one from each. */
  int *sent = malloc(sizeof(int) * (size_t)remote);
  MPI_Request *requests = malloc(sizeof(MPI_Request) * (size_t)remote);
  for (int r = 0; r < remote; ++r) {
    sent[r] = (is_child ? 1000 : 0) + 100 * rank + r;
    CHECK_MPI(MPI_Isend(&sent[r], 1, MPI_INT, r, tag_base, inter, &requests[r]));
  }
  for (int r = 0; r < remote; ++r) {
    int value = -1;
    MPI_Status status;
    CHECK_MPI(MPI_Recv(&value, 1, MPI_INT, r, tag_base, inter, &status));
    CHECK_INT(status.MPI_SOURCE, r, "source");
    CHECK_INT(value, (is_child ? 0 : 1000) + 100 * r + rank, "value from the other side");
  }
  CHECK_MPI(MPI_Waitall(remote, requests, MPI_STATUSES_IGNORE));
  free(sent);
  free(requests);
  /* The parents go first in the merged communicator. */
  MPI_Comm merged;
  CHECK_MPI(MPI_Intercomm_merge(inter, is_child, &merged));
  int merged_rank, merged_size;
  MPI_Comm_rank(merged, &merged_rank);
  MPI_Comm_size(merged, &merged_size);
  CHECK_INT(merged_size, size + remote, "merged size");
  CHECK_INT(merged_rank, is_child ? remote + rank : rank, "merged rank");
  long mine = merged_rank + 1, sum = 0;
  CHECK_MPI(MPI_Allreduce(&mine, &sum, 1, MPI_LONG, MPI_SUM, merged));
  CHECK_INT(sum, (long)merged_size * (merged_size + 1) / 2, "allreduce over merged");
  CHECK_MPI(MPI_Comm_free(&merged));
  return sum;
}

static int child(MPI_Comm parent, int argc, char **argv) {
  int rank, size, parents;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  MPI_Comm_remote_size(parent, &parents);
  /* The children's world is their own. */
  int total = 0, one = 1;
  CHECK_MPI(MPI_Allreduce(&one, &total, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD));
  CHECK_INT(total, size, "children's world");
  const char *role = argc > 1 ? argv[1] : "plain";
  /* Rank 0 tells the parents what it saw. */
  if (rank == 0) {
    int report[3] = {size, parents, (int)strlen(role)};
    CHECK_MPI(MPI_Send(report, 3, MPI_INT, 0, 1, parent));
  }
  talk(parent, 1, 2);
  if (strcmp(role, "nest") == 0) {
    MPI_Comm grandchild;
    char *grand_argv[] = {"grandchild", NULL};
    int code = -1;
    CHECK_MPI(MPI_Comm_spawn(argv[0], grand_argv, 1, MPI_INFO_NULL, 0, MPI_COMM_WORLD, &grandchild, &code));
    CHECK_INT(code, MPI_SUCCESS, "grandchild's error code");
    int grand_report[3] = {-1, -1, -1};
    if (rank == 0) CHECK_MPI(MPI_Recv(grand_report, 3, MPI_INT, 0, 1, grandchild, MPI_STATUS_IGNORE));
    int depth = grand_report[0];
    talk(grandchild, 0, 2);
    CHECK_MPI(MPI_Comm_disconnect(&grandchild));
    if (rank == 0) CHECK_MPI(MPI_Send(&depth, 1, MPI_INT, 0, 3, parent));
  }
  CHECK_MPI(MPI_Comm_disconnect(&parent));
  MPI_Comm after;
  MPI_Comm_get_parent(&after);
  CHECK(after == MPI_COMM_NULL, "MPI_Comm_get_parent after disconnect");
  MPI_Finalize();
  return 0;
}

/* One spawn of `count` children; `nest` asks them to spawn a grandchild. */
static void spawn_and_talk(int count, int nest, char *self) {
  MPI_Comm children;
  int *codes = malloc(sizeof(int) * (size_t)count);
  char *child_argv[] = {nest ? "nest" : "plain", NULL};
  CHECK_MPI(MPI_Comm_spawn(self, child_argv, count, MPI_INFO_NULL, 0, MPI_COMM_WORLD, &children, codes));
  for (int i = 0; i < count; ++i) CHECK_INT(codes[i], MPI_SUCCESS, "error code");
  free(codes);
  int flag = 0, remote = 0;
  MPI_Comm_test_inter(children, &flag);
  MPI_Comm_remote_size(children, &remote);
  CHECK_INT(flag, 1, "spawn gives an intercommunicator");
  CHECK_INT(remote, count, "remote size");
  int report[3] = {0, 0, 0};
  if (world_rank() == 0) CHECK_MPI(MPI_Recv(report, 3, MPI_INT, 0, 1, children, MPI_STATUS_IGNORE));
  const long sum = talk(children, 0, 2);
  int depth = 0;
  if (nest && world_rank() == 0) CHECK_MPI(MPI_Recv(&depth, 1, MPI_INT, 0, 3, children, MPI_STATUS_IGNORE));
  CHECK_MPI(MPI_Comm_disconnect(&children));
  if (world_rank() == 0) {
    out("spawned %d%s: children saw world %d, parents %d; merged sum %ld%s", count, nest ? " (nesting)" : "",
        report[0], report[1], sum, nest ? (depth == 1 ? "; grandchild saw world 1" : "; no grandchild") : "");
  }
  out_flush();
}

static void spawn_multiple(char *self) {
  char *commands[2] = {self, self};
  char *argv_a[] = {"a", NULL}, *argv_b[] = {"bb", NULL};
  char **argvs[2] = {argv_a, argv_b};
  int counts[2] = {1, 2};
  MPI_Info infos[2] = {MPI_INFO_NULL, MPI_INFO_NULL};
  int codes[3];
  MPI_Comm children;
  CHECK_MPI(MPI_Comm_spawn_multiple(2, commands, argvs, counts, infos, 0, MPI_COMM_WORLD, &children, codes));
  for (int i = 0; i < 3; ++i) CHECK_INT(codes[i], MPI_SUCCESS, "error code");
  int report[3] = {0, 0, 0};
  if (world_rank() == 0) CHECK_MPI(MPI_Recv(report, 3, MPI_INT, 0, 1, children, MPI_STATUS_IGNORE));
  const long sum = talk(children, 0, 2);
  CHECK_MPI(MPI_Comm_disconnect(&children));
  if (world_rank() == 0) {
    out("spawn_multiple 1+2: children saw world %d, parents %d, first child's argument of length %d; merged sum %ld",
        report[0], report[1], report[2], sum);
  }
  out_flush();
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  MPI_Comm parent;
  MPI_Comm_get_parent(&parent);
  if (parent != MPI_COMM_NULL) return child(parent, argc, argv);
  int counts[8] = {1, 2, 4}, n = 3;
  if (argc > 1) {
    n = 0;
    for (int i = 1; i < argc && n < 8; ++i) counts[n++] = atoi(argv[i]);
  }
  for (int i = 0; i < n; ++i) spawn_and_talk(counts[i], 0, argv[0]);
  spawn_and_talk(1, 1, argv[0]);
  spawn_multiple(argv[0]);
  finish("spawn");
  return 0;
}
