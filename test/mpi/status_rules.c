/* What the completion calls write into a status: the empty status of null and inactive
   requests, and MPI_ERROR, which single-completion calls leave as it was. */
#include "mpi_check.h"

#include <stdio.h>
#include <string.h>

enum { SENTINEL_ERROR = 4242, SENTINEL_SOURCE = 77, SENTINEL_TAG = 88 };

static void prefill(MPI_Status *status) {
  memset(status, 0x5a, sizeof *status);
  status->MPI_SOURCE = SENTINEL_SOURCE;
  status->MPI_TAG = SENTINEL_TAG;
  status->MPI_ERROR = SENTINEL_ERROR;
}

static const char *source_name(int source) {
  static char text[32];
  if (source == MPI_ANY_SOURCE) return "any";
  if (source == MPI_PROC_NULL) return "proc_null";
  if (source == SENTINEL_SOURCE) return "untouched";
  snprintf(text, sizeof text, "%d", source);
  return text;
}

static void show(const char *what, const MPI_Status *status) {
  int count = -1, cancelled = -1;
  CHECK_MPI(MPI_Get_count(status, MPI_INT, &count));
  CHECK_MPI(MPI_Test_cancelled(status, &cancelled));
  char error[32];
  if (status->MPI_ERROR == SENTINEL_ERROR) snprintf(error, sizeof error, "untouched");
  else snprintf(error, sizeof error, "%d", status->MPI_ERROR);
  out("%s: source %s tag %d error %s count %d cancelled %d", what, source_name(status->MPI_SOURCE),
      status->MPI_TAG == MPI_ANY_TAG ? -1 : status->MPI_TAG, error, count, cancelled);
}

static void null_and_inactive(void) {
  MPI_Status status;
  MPI_Request null = MPI_REQUEST_NULL;
  int flag = -1, index = -5, outcount = -5, indices[2];

  prefill(&status);
  CHECK_MPI(MPI_Wait(&null, &status));
  show("wait on null", &status);
  prefill(&status);
  CHECK_MPI(MPI_Test(&null, &flag, &status));
  out("test on null: flag %d", flag);
  show("test on null", &status);
  prefill(&status);
  CHECK_MPI(MPI_Request_get_status(null, &flag, &status));
  out("get_status on null: flag %d", flag);
  show("get_status on null", &status);

  /* Inactive persistent requests on MPI_COMM_WORLD. */
  int buffer[4] = {0};
  MPI_Request persistent[2];
  CHECK_MPI(MPI_Send_init(buffer, 4, MPI_INT, world_rank(), 5, MPI_COMM_WORLD, &persistent[0]));
  CHECK_MPI(MPI_Recv_init(buffer, 4, MPI_INT, world_rank(), 5, MPI_COMM_WORLD, &persistent[1]));
  prefill(&status);
  CHECK_MPI(MPI_Wait(&persistent[0], &status));
  show("wait on inactive", &status);
  prefill(&status);
  CHECK_MPI(MPI_Test(&persistent[1], &flag, &status));
  out("test on inactive: flag %d", flag);
  show("test on inactive", &status);
  prefill(&status);
  CHECK_MPI(MPI_Request_get_status(persistent[1], &flag, &status));
  out("get_status on inactive: flag %d", flag);
  show("get_status on inactive", &status);

  MPI_Status statuses[2];
  prefill(&statuses[0]);
  prefill(&statuses[1]);
  CHECK_MPI(MPI_Waitall(2, persistent, statuses));
  show("waitall on inactive [0]", &statuses[0]);
  show("waitall on inactive [1]", &statuses[1]);
  prefill(&statuses[0]);
  prefill(&statuses[1]);
  CHECK_MPI(MPI_Testall(2, persistent, &flag, statuses));
  out("testall on inactive: flag %d", flag);
  show("testall on inactive [0]", &statuses[0]);
  prefill(&status);
  CHECK_MPI(MPI_Waitany(2, persistent, &index, &status));
  out("waitany on inactive: index %s", index == MPI_UNDEFINED ? "undefined" : "defined");
  show("waitany on inactive", &status);
  prefill(&status);
  CHECK_MPI(MPI_Testany(2, persistent, &index, &flag, &status));
  out("testany on inactive: index %s flag %d", index == MPI_UNDEFINED ? "undefined" : "defined", flag);
  show("testany on inactive", &status);
  CHECK_MPI(MPI_Waitsome(2, persistent, &outcount, indices, statuses));
  out("waitsome on inactive: outcount %s", outcount == MPI_UNDEFINED ? "undefined" : "defined");
  CHECK_MPI(MPI_Testsome(2, persistent, &outcount, indices, statuses));
  out("testsome on inactive: outcount %s", outcount == MPI_UNDEFINED ? "undefined" : "defined");

  /* Once used, a persistent request is inactive again after its completion. */
  CHECK_MPI(MPI_Startall(2, persistent));
  CHECK_MPI(MPI_Waitall(2, persistent, MPI_STATUSES_IGNORE));
  prefill(&status);
  CHECK_MPI(MPI_Wait(&persistent[1], &status));
  show("wait on completed persistent", &status);
  CHECK_MPI(MPI_Request_free(&persistent[0]));
  CHECK_MPI(MPI_Request_free(&persistent[1]));
}

/* Single-completion calls on real traffic keep MPI_ERROR; multiple-completion ones set it. */
static void single_completions(void) {
  const int rank = world_rank(), size = world_size();
  const int next = (rank + 1) % size, prev = (rank + size - 1) % size;
  int outgoing[3] = {rank, rank + 1, rank + 2}, incoming[3];
  MPI_Status status;
  MPI_Request requests[2];
  int flag = 0;

  prefill(&status);
  CHECK_MPI(MPI_Sendrecv(outgoing, 3, MPI_INT, next, 1, incoming, 3, MPI_INT, prev, 1, MPI_COMM_WORLD, &status));
  show("sendrecv", &status);

  CHECK_MPI(MPI_Isend(outgoing, 3, MPI_INT, next, 2, MPI_COMM_WORLD, &requests[0]));
  prefill(&status);
  CHECK_MPI(MPI_Probe(prev, 2, MPI_COMM_WORLD, &status));
  show("probe", &status);
  flag = 0;
  prefill(&status);
  while (!flag) CHECK_MPI(MPI_Iprobe(prev, 2, MPI_COMM_WORLD, &flag, &status));
  show("iprobe", &status);
  prefill(&status);
  CHECK_MPI(MPI_Recv(incoming, 3, MPI_INT, prev, 2, MPI_COMM_WORLD, &status));
  show("recv", &status);
  prefill(&status);
  CHECK_MPI(MPI_Wait(&requests[0], &status));
  out("wait on a send: error %s", status.MPI_ERROR == SENTINEL_ERROR ? "untouched" : "written");

  CHECK_MPI(MPI_Isend(outgoing, 2, MPI_INT, next, 3, MPI_COMM_WORLD, &requests[0]));
  MPI_Message message;
  prefill(&status);
  CHECK_MPI(MPI_Mprobe(prev, 3, MPI_COMM_WORLD, &message, &status));
  show("mprobe", &status);
  prefill(&status);
  CHECK_MPI(MPI_Mrecv(incoming, 3, MPI_INT, &message, &status));
  show("mrecv", &status);
  CHECK_MPI(MPI_Wait(&requests[0], MPI_STATUS_IGNORE));

  CHECK_MPI(MPI_Irecv(incoming, 3, MPI_INT, prev, 4, MPI_COMM_WORLD, &requests[1]));
  CHECK_MPI(MPI_Send(outgoing, 1, MPI_INT, next, 4, MPI_COMM_WORLD));
  flag = 0;
  while (!flag) {
    prefill(&status);
    CHECK_MPI(MPI_Test(&requests[1], &flag, &status));
  }
  show("test", &status);

  CHECK_MPI(MPI_Irecv(incoming, 3, MPI_INT, prev, 5, MPI_COMM_WORLD, &requests[1]));
  CHECK_MPI(MPI_Send(outgoing, 3, MPI_INT, next, 5, MPI_COMM_WORLD));
  prefill(&status);
  CHECK_MPI(MPI_Wait(&requests[1], &status));
  show("wait", &status);

  MPI_Status statuses[2];
  CHECK_MPI(MPI_Irecv(incoming, 3, MPI_INT, prev, 6, MPI_COMM_WORLD, &requests[0]));
  CHECK_MPI(MPI_Isend(outgoing, 3, MPI_INT, next, 6, MPI_COMM_WORLD, &requests[1]));
  prefill(&statuses[0]);
  prefill(&statuses[1]);
  CHECK_MPI(MPI_Waitall(2, requests, statuses));
  show("waitall receive", &statuses[0]);

  int index = -1;
  CHECK_MPI(MPI_Irecv(incoming, 3, MPI_INT, prev, 7, MPI_COMM_WORLD, &requests[0]));
  requests[1] = MPI_REQUEST_NULL;
  CHECK_MPI(MPI_Send(outgoing, 3, MPI_INT, next, 7, MPI_COMM_WORLD));
  prefill(&status);
  CHECK_MPI(MPI_Waitany(2, requests, &index, &status));
  out("waitany: index %d", index);
  show("waitany", &status);

  /* MPI_PROC_NULL */
  prefill(&status);
  CHECK_MPI(MPI_Recv(incoming, 3, MPI_INT, MPI_PROC_NULL, 8, MPI_COMM_WORLD, &status));
  show("recv from proc_null", &status);
  CHECK_MPI(MPI_Irecv(incoming, 3, MPI_INT, MPI_PROC_NULL, 8, MPI_COMM_WORLD, &requests[0]));
  prefill(&status);
  CHECK_MPI(MPI_Wait(&requests[0], &status));
  show("wait for proc_null", &status);
  prefill(&status);
  CHECK_MPI(MPI_Probe(MPI_PROC_NULL, 8, MPI_COMM_WORLD, &status));
  show("probe of proc_null", &status);
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  null_and_inactive();
  out_flush();
  single_completions();
  finish("status_rules");
  return 0;
}
