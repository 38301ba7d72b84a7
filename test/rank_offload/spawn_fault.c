/* Faults around MPI_Comm_spawn, one per scenario (argv[1]):
 *   crash    a spawned child dies of SIGSEGV while its parent waits for it
 *   refused  spawns that cannot be satisfied, under MPI_ERRORS_RETURN: more children than
 *            the cluster has cores, and a program that does not exist; each returns
 *            MPI_ERR_SPAWN with every error code set, and a spawn after them still works
 *   release  two children disconnect and finalize at once; the parent says "children gone"
 *            and waits for SPAWN_FAULT_GO (meanwhile the test sees their leases ended)
 *   renew    two children on 2 s leases (info ferry_lease_seconds) work for 5 s: their
 *            leases are renewed behind their backs and the job ends cleanly
 *   wait     once the file SPAWN_FAULT_GO names exists, spawns children that say "ready"
 *            and wait for a message that never comes (the test kills or stops their spawner);
 *            with SPAWN_FAULT_RETURN set the parents handle the error and go on
 *   inflight the parents free a 4 MiB send to a child that receives it only 200 ms later,
 *            disconnect, and overwrite the data: the child aborts the job unless the data
 *            came intact (MPI_Comm_disconnect completes what is in flight; Open MPI 4.1
 *            hangs here: its disconnect does not progress the freed send)
 *   placement  spawns 2 children with the info key host=$SPAWN_FAULT_HOST, then 1 on a
 *            node that does not exist (MPI_ERR_SPAWN)
 *   survive  the parents set MPI_ERRORS_RETURN on the intercommunicator and child 1 dies of
 *            SIGSEGV: what needs it fails with an error, in both parents and in the child's
 *            siblings, the other children still work, and a new spawn works after it */
#include <mpi.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int error_class(int code) {
  int class_ = -1;
  MPI_Error_class(code, &class_);
  return class_;
}

static const char *outcome(int code) {
  if (code == MPI_SUCCESS) return "ok";
  return error_class(code) == MPI_ERR_OTHER ? "MPI_ERR_OTHER" : "another error";
}

/* Whether the error's text names the crashed child. */
static const char *names_child(int code) {
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(code, text, &length);
  return strstr(text, "spawned rank 1") != NULL && strstr(text, "signal 11") != NULL ? "yes" : "no";
}

static int survive_child(MPI_Comm parent, int rank) {
  int value = 0;
  if (rank == 1) {
    MPI_Recv(&value, 1, MPI_INT, 0, 0, parent, MPI_STATUS_IGNORE);
    raise(SIGSEGV);
  }
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  int code = MPI_Recv(&value, 1, MPI_INT, 1, 3, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  printf("child %d: receive from the crashed sibling: %s\n", rank, outcome(code));
  fflush(stdout);
  value = 10 + rank;
  MPI_Send(&value, 1, MPI_INT, 0, 1, parent);
  MPI_Send(&value, 1, MPI_INT, 1, 1, parent);
  MPI_Comm_disconnect(&parent);
  MPI_Finalize();
  return 0;
}

enum { inflight_words = 1 << 20 };

static int inflight_child(MPI_Comm parent) {
  usleep(200 * 1000);
  int *data = malloc(sizeof(int) * inflight_words);
  MPI_Recv(data, inflight_words, MPI_INT, 0, 5, parent, MPI_STATUS_IGNORE);
  int intact = 1;
  for (int i = 0; i < inflight_words; ++i) intact = intact && data[i] == i;
  free(data);
  if (!intact) {
    fprintf(stderr, "the child's data changed before MPI_Comm_disconnect returned\n");
    MPI_Abort(MPI_COMM_WORLD, 3);
  }
  printf("child: the data came intact\n");
  MPI_Comm_disconnect(&parent);
  MPI_Finalize();
  return 0;
}

static int child(MPI_Comm parent, const char *scenario) {
  int rank;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  if (strcmp(scenario, "inflight") == 0) return inflight_child(parent);
  if (strcmp(scenario, "survive") == 0) return survive_child(parent, rank);
  if (strcmp(scenario, "crash") == 0 && rank == 1) {
    sleep(1);
    raise(SIGSEGV);
  }
  if (strcmp(scenario, "wait") == 0) {
    printf("child %d ready\n", rank);
    fflush(stdout);
  }
  if (strcmp(scenario, "release") == 0) {
    MPI_Comm_disconnect(&parent);
    MPI_Finalize();
    return 0;
  }
  if (strcmp(scenario, "renew") == 0) sleep(5);
  int value = 0;
  MPI_Recv(&value, 1, MPI_INT, 0, 0, parent, MPI_STATUS_IGNORE);
  MPI_Comm_disconnect(&parent);
  MPI_Finalize();
  return 0;
}

static int world_rank_is_zero(void) {
  int rank;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  return rank == 0;
}

static void survive(char *self) {
  int rank, value = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  char *argv[] = {"survive", NULL};
  MPI_Comm children;
  MPI_Comm_spawn(self, argv, 3, MPI_INFO_NULL, 0, MPI_COMM_WORLD, &children, MPI_ERRCODES_IGNORE);
  MPI_Comm_set_errhandler(children, MPI_ERRORS_RETURN);
  MPI_Barrier(MPI_COMM_WORLD);
  if (rank == 0) MPI_Send(&value, 1, MPI_INT, 1, 0, children);

  MPI_Request pending;
  MPI_Irecv(&value, 1, MPI_INT, MPI_ANY_SOURCE, 7, children, &pending);
  int code = MPI_Wait(&pending, MPI_STATUS_IGNORE);
  printf("parent %d: any-source receive pending at the crash: %s, names the child: %s\n", rank, outcome(code),
         names_child(code));
  code = MPI_Recv(&value, 1, MPI_INT, 1, 0, children, MPI_STATUS_IGNORE);
  printf("parent %d: receive from the crashed child: %s\n", rank, outcome(code));
  code = MPI_Send(&value, 1, MPI_INT, 1, 0, children);
  printf("parent %d: send to the crashed child: %s\n", rank, outcome(code));
  int flag = 0;
  code = MPI_Iprobe(1, 0, children, &flag, MPI_STATUS_IGNORE);
  printf("parent %d: probe of the crashed child: %s\n", rank, outcome(code));
  code = MPI_Barrier(children);
  printf("parent %d: barrier with the children: %s\n", rank, outcome(code));
  int first = 0, third = 0;
  MPI_Recv(&first, 1, MPI_INT, 0, 1, children, MPI_STATUS_IGNORE);
  MPI_Recv(&third, 1, MPI_INT, 2, 1, children, MPI_STATUS_IGNORE);
  printf("parent %d: the other children answer: %d %d\n", rank, first, third);
  MPI_Comm_disconnect(&children);

  char *again[] = {"refused", NULL};
  code = MPI_Comm_spawn(self, again, 1, MPI_INFO_NULL, 0, MPI_COMM_WORLD, &children, MPI_ERRCODES_IGNORE);
  if (rank == 0) MPI_Send(&value, 1, MPI_INT, 0, 0, children);
  MPI_Comm_disconnect(&children);
  printf("parent %d: spawn after the crash: %s\n", rank, outcome(code));
}

static void inflight(char *self) {
  char *argv[] = {"inflight", NULL};
  MPI_Comm children;
  MPI_Comm_spawn(self, argv, 1, MPI_INFO_NULL, 0, MPI_COMM_WORLD, &children, MPI_ERRCODES_IGNORE);
  int *data = malloc(sizeof(int) * inflight_words);
  if (world_rank_is_zero()) {
    for (int i = 0; i < inflight_words; ++i) data[i] = i;
    MPI_Request sent;
    MPI_Isend(data, inflight_words, MPI_INT, 0, 5, children, &sent);
    MPI_Request_free(&sent);
  }
  MPI_Comm_disconnect(&children);
  for (int i = 0; i < inflight_words; ++i) data[i] = -1;
  free(data);
  printf("parent: disconnected\n");
}

static void placement(char *self) {
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  const char *where = getenv("SPAWN_FAULT_HOST");
  MPI_Info info;
  MPI_Info_create(&info);
  MPI_Info_set(info, "host", where != NULL ? where : "localhost");
  char *argv[] = {"refused", NULL};
  MPI_Comm children;
  int code = MPI_Comm_spawn(self, argv, 2, info, 0, MPI_COMM_WORLD, &children, MPI_ERRCODES_IGNORE);
  /* Only the root's info counts: the other parent may not see SPAWN_FAULT_HOST at all. */
  printf("spawn with the root's host: %s\n", code == MPI_SUCCESS ? "ok" : "failed");
  if (code == MPI_SUCCESS) {
    int value = 1;
    if (world_rank_is_zero()) {
      MPI_Send(&value, 1, MPI_INT, 0, 0, children);
      MPI_Send(&value, 1, MPI_INT, 1, 0, children);
    }
    MPI_Comm_disconnect(&children);
  }
  MPI_Info_set(info, "host", "no-such-node");
  code = MPI_Comm_spawn(self, argv, 1, info, 0, MPI_COMM_WORLD, &children, MPI_ERRCODES_IGNORE);
  printf("spawn with host=no-such-node: %s\n", error_class(code) == MPI_ERR_SPAWN ? "MPI_ERR_SPAWN" : "other");
  MPI_Info_free(&info);
}

static void refused(char *self) {
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  char *argv[] = {"refused", NULL};
  int codes[64];
  MPI_Comm children = MPI_COMM_WORLD;
  int code = MPI_Comm_spawn(self, argv, 64, MPI_INFO_NULL, 0, MPI_COMM_WORLD, &children, codes);
  int all_set = 1;
  for (int i = 0; i < 64; ++i) all_set = all_set && codes[i] == MPI_ERR_SPAWN;
  printf("too many children: %s, every code MPI_ERR_SPAWN: %s, intercomm null: %s\n",
         error_class(code) == MPI_ERR_SPAWN ? "MPI_ERR_SPAWN" : "other", all_set ? "yes" : "no",
         children == MPI_COMM_NULL ? "yes" : "no");
  code = MPI_Comm_spawn("/nonexistent/program", argv, 2, MPI_INFO_NULL, 0, MPI_COMM_WORLD, &children, codes);
  printf("missing program: %s, codes %s\n", error_class(code) == MPI_ERR_SPAWN ? "MPI_ERR_SPAWN" : "other",
         codes[0] == MPI_ERR_SPAWN && codes[1] == MPI_ERR_SPAWN ? "MPI_ERR_SPAWN" : "other");
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(code, text, &length);
  printf("its error string names the program: %s\n", strstr(text, "/nonexistent/program") != NULL ? "yes" : "no");
  code = MPI_Comm_spawn(self, argv, 1, MPI_INFO_NULL, 0, MPI_COMM_WORLD, &children, codes);
  printf("spawn after the failures: %s\n", code == MPI_SUCCESS && codes[0] == MPI_SUCCESS ? "ok" : "failed");
  if (code == MPI_SUCCESS) {
    int value = 1;
    MPI_Send(&value, 1, MPI_INT, 0, 0, children);
    MPI_Comm_disconnect(&children);
  }
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  MPI_Comm parent;
  MPI_Comm_get_parent(&parent);
  const char *scenario = argc > 1 ? argv[1] : "crash";
  if (parent != MPI_COMM_NULL) return child(parent, scenario);
  const char *go = getenv("SPAWN_FAULT_GO");
  if (strcmp(scenario, "refused") == 0) {
    refused(argv[0]);
  } else if (strcmp(scenario, "inflight") == 0) {
    inflight(argv[0]);
  } else if (strcmp(scenario, "placement") == 0) {
    placement(argv[0]);
  } else if (strcmp(scenario, "survive") == 0) {
    survive(argv[0]);
  } else if (strcmp(scenario, "release") == 0 || strcmp(scenario, "renew") == 0) {
    MPI_Info info;
    MPI_Info_create(&info);
    MPI_Info_set(info, "ferry_lease_seconds", "2");
    char *child_argv[] = {(char *)scenario, NULL};
    MPI_Comm children;
    MPI_Comm_spawn(argv[0], child_argv, 2, info, 0, MPI_COMM_WORLD, &children, MPI_ERRCODES_IGNORE);
    MPI_Info_free(&info);
    if (strcmp(scenario, "renew") == 0) {
      int value = 1;
      if (world_rank_is_zero()) {
        MPI_Send(&value, 1, MPI_INT, 0, 0, children);
        MPI_Send(&value, 1, MPI_INT, 1, 0, children);
      }
    }
    MPI_Comm_disconnect(&children);
    if (strcmp(scenario, "release") == 0 && world_rank_is_zero()) {
      printf("children gone\n");
      fflush(stdout);
      while (go != NULL && access(go, F_OK) != 0) usleep(10000);
    }
    MPI_Barrier(MPI_COMM_WORLD);
    printf("parent done\n");
  } else {
    while (go != NULL && access(go, F_OK) != 0) usleep(10000);
    char *child_argv[] = {(char *)scenario, NULL};
    MPI_Comm children;
    MPI_Comm_spawn(argv[0], child_argv, 2, MPI_INFO_NULL, 0, MPI_COMM_WORLD, &children, MPI_ERRCODES_IGNORE);
    int value = 0;
    const int handle_errors = getenv("SPAWN_FAULT_RETURN") != NULL;
    if (handle_errors) MPI_Comm_set_errhandler(children, MPI_ERRORS_RETURN);
    /* Waits for a message that never comes: only the fault ends this. */
    const int code = MPI_Recv(&value, 1, MPI_INT, 1, 0, children, MPI_STATUS_IGNORE);
    if (handle_errors) {
      printf("parent %d: receive from a child whose node went: %s\n", world_rank_is_zero() ? 0 : 1, outcome(code));
      MPI_Comm_disconnect(&children);
    }
  }
  MPI_Finalize();
  return 0;
}
