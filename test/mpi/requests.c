/* Request completion: Wait/Test in all flavours over arrays that mix communicators
   and MPI_REQUEST_NULL, Request_free and Request_get_status. */
#include "mpi_check.h"

#include <string.h>

enum { SLOTS = 10, PAYLOAD = 4 };

/* One array of requests: receives and sends on MPI_COMM_WORLD, MPI_COMM_SELF, a dup of
   MPI_COMM_SELF and a communicator of ranks 0 and 1 only, with null entries between. */
struct Mixed {
  MPI_Request requests[SLOTS];
  MPI_Status statuses[SLOTS];
  int is_receive[SLOTS];
  int source[SLOTS];
  int sender_world_rank[SLOTS];
  int tag[SLOTS];
  int completions[SLOTS];
  int incoming[SLOTS][PAYLOAD];
  int outgoing[SLOTS][PAYLOAD];
};

static MPI_Comm self_dup;
static MPI_Comm pair;

static int payload(int sender, int tag, int k) { return sender * 1000 + tag * 10 + k; }

static void post_receive(struct Mixed *m, int slot, MPI_Comm comm, int source,
                         int sender_world_rank, int tag) {
  m->is_receive[slot] = 1;
  m->source[slot] = source;
  m->sender_world_rank[slot] = sender_world_rank;
  m->tag[slot] = tag;
  CHECK_MPI(MPI_Irecv(m->incoming[slot], PAYLOAD, MPI_INT, source, tag, comm,
                      &m->requests[slot]));
}

static void post_send(struct Mixed *m, int slot, MPI_Comm comm, int dest, int tag) {
  for (int k = 0; k < PAYLOAD; ++k) m->outgoing[slot][k] = payload(world_rank(), tag, k);
  CHECK_MPI(MPI_Isend(m->outgoing[slot], PAYLOAD, MPI_INT, dest, tag, comm,
                      &m->requests[slot]));
}

static void post_mixed(struct Mixed *m, int round) {
  int rank = world_rank();
  int size = world_size();
  int next = (rank + 1) % size;
  int prev = (rank + size - 1) % size;
  memset(m, 0, sizeof *m);
  for (int i = 0; i < SLOTS; ++i) m->requests[i] = MPI_REQUEST_NULL;
  int tag = round * 8;
  post_receive(m, 0, MPI_COMM_WORLD, prev, prev, tag + 1);
  post_receive(m, 3, MPI_COMM_SELF, 0, rank, tag + 2);
  post_receive(m, 5, self_dup, 0, rank, tag + 3);
  if (pair != MPI_COMM_NULL) post_receive(m, 7, pair, 1 - rank, 1 - rank, tag + 4);
  post_send(m, 1, MPI_COMM_WORLD, next, tag + 1);
  post_send(m, 4, MPI_COMM_SELF, 0, tag + 2);
  post_send(m, 6, self_dup, 0, tag + 3);
  if (pair != MPI_COMM_NULL) post_send(m, 8, pair, 1 - rank, tag + 4);
}

static void check_empty_status(const MPI_Status *status) {
  /* The standard says MPI_ANY_SOURCE; Open MPI reports MPI_PROC_NULL. */
  CHECK(status->MPI_SOURCE == MPI_ANY_SOURCE || status->MPI_SOURCE == MPI_PROC_NULL,
        "empty status source %d", status->MPI_SOURCE);
  CHECK_INT(status->MPI_TAG, MPI_ANY_TAG, "empty status tag");
  int count = -1;
  CHECK_MPI(MPI_Get_count(status, MPI_INT, &count));
  CHECK_INT(count, 0, "empty status count");
}

/* Checks that every request completed and every receive's data and status. */
static void verify_mixed(struct Mixed *m) {
  for (int i = 0; i < SLOTS; ++i) {
    CHECK(m->requests[i] == MPI_REQUEST_NULL, "slot %d still active", i);
    if (!m->is_receive[i]) continue;
    CHECK_INT(m->completions[i], 1, "completions of a receive slot");
    for (int k = 0; k < PAYLOAD; ++k)
      CHECK_INT(m->incoming[i][k], payload(m->sender_world_rank[i], m->tag[i], k),
                "mixed receive payload");
    CHECK_INT(m->statuses[i].MPI_SOURCE, m->source[i], "mixed receive source");
    CHECK_INT(m->statuses[i].MPI_TAG, m->tag[i], "mixed receive tag");
    int count = -1;
    CHECK_MPI(MPI_Get_count(&m->statuses[i], MPI_INT, &count));
    CHECK_INT(count, PAYLOAD, "mixed receive count");
  }
}

/* After Waitall/Testall, the slots that held MPI_REQUEST_NULL carry the empty status. */
static void complete_all(struct Mixed *m, const int *was_null) {
  for (int i = 0; i < SLOTS; ++i) {
    m->completions[i] = m->is_receive[i];
    if (was_null[i]) check_empty_status(&m->statuses[i]);
  }
  verify_mixed(m);
}

static int find_nulls(const struct Mixed *m, int *was_null) {
  int active = 0;
  for (int i = 0; i < SLOTS; ++i) {
    was_null[i] = m->requests[i] == MPI_REQUEST_NULL;
    active += !was_null[i];
  }
  return active;
}

static void run_waitall(int round) {
  struct Mixed m;
  post_mixed(&m, round);
  int was_null[SLOTS];
  int active = find_nulls(&m, was_null);
  CHECK_MPI(MPI_Waitall(SLOTS, m.requests, m.statuses));
  complete_all(&m, was_null);
  out("waitall: %d active of %d", active, SLOTS);
}

static void run_testall(int round) {
  struct Mixed m;
  post_mixed(&m, round);
  int was_null[SLOTS];
  int active = find_nulls(&m, was_null);
  int flag = 0;
  while (!flag) CHECK_MPI(MPI_Testall(SLOTS, m.requests, &flag, m.statuses));
  complete_all(&m, was_null);
  out("testall: %d active of %d", active, SLOTS);
}

static void run_waitany(int round) {
  struct Mixed m;
  post_mixed(&m, round);
  int was_null[SLOTS];
  int active = find_nulls(&m, was_null);
  int completed = 0;
  for (;;) {
    int index = -1;
    MPI_Status status;
    CHECK_MPI(MPI_Waitany(SLOTS, m.requests, &index, &status));
    if (index == MPI_UNDEFINED) break;
    CHECK(index >= 0 && index < SLOTS, "Waitany index %d", index);
    m.completions[index]++;
    m.statuses[index] = status;
    ++completed;
  }
  CHECK_INT(completed, active, "Waitany completions");
  verify_mixed(&m);
  out("waitany: %d completions", completed);
}

static void run_testany(int round) {
  struct Mixed m;
  post_mixed(&m, round);
  int was_null[SLOTS];
  int active = find_nulls(&m, was_null);
  int completed = 0;
  for (;;) {
    int index = -1;
    int flag = 0;
    MPI_Status status;
    CHECK_MPI(MPI_Testany(SLOTS, m.requests, &index, &flag, &status));
    if (flag && index == MPI_UNDEFINED) break;
    if (!flag) continue;
    CHECK(index >= 0 && index < SLOTS, "Testany index %d", index);
    m.completions[index]++;
    m.statuses[index] = status;
    ++completed;
  }
  CHECK_INT(completed, active, "Testany completions");
  verify_mixed(&m);
  out("testany: %d completions", completed);
}

static void run_some(int round, int waiting) {
  struct Mixed m;
  post_mixed(&m, round);
  int was_null[SLOTS];
  int active = find_nulls(&m, was_null);
  int completed = 0;
  for (;;) {
    int outcount = -1;
    int indices[SLOTS];
    MPI_Status statuses[SLOTS];
    if (waiting)
      CHECK_MPI(MPI_Waitsome(SLOTS, m.requests, &outcount, indices, statuses));
    else
      CHECK_MPI(MPI_Testsome(SLOTS, m.requests, &outcount, indices, statuses));
    if (outcount == MPI_UNDEFINED) break;
    CHECK(outcount >= 0 && outcount <= SLOTS, "outcount %d", outcount);
    if (waiting) CHECK(outcount > 0, "Waitsome returned no completion");
    for (int j = 0; j < outcount; ++j) {
      m.completions[indices[j]]++;
      m.statuses[indices[j]] = statuses[j];
    }
    completed += outcount;
  }
  CHECK_INT(completed, active, "Waitsome/Testsome completions");
  verify_mixed(&m);
  out("%s: %d completions", waiting ? "waitsome" : "testsome", completed);
}

static void run_wait_and_test(void) {
  int rank = world_rank();
  int size = world_size();
  int next = (rank + 1) % size;
  int prev = (rank + size - 1) % size;
  int outgoing = rank * 3 + 1;
  int incoming = -1;
  MPI_Request receive;
  MPI_Request send;
  CHECK_MPI(MPI_Irecv(&incoming, 1, MPI_INT, prev, 90, MPI_COMM_WORLD, &receive));
  CHECK_MPI(MPI_Isend(&outgoing, 1, MPI_INT, next, 90, MPI_COMM_WORLD, &send));
  int flag = 0;
  MPI_Status status;
  while (!flag) CHECK_MPI(MPI_Test(&receive, &flag, &status));
  CHECK(receive == MPI_REQUEST_NULL, "Test did not free the completed request");
  CHECK_INT(status.MPI_SOURCE, prev, "Test status source");
  CHECK_INT(incoming, prev * 3 + 1, "Test payload");
  CHECK_MPI(MPI_Wait(&send, MPI_STATUS_IGNORE));
  CHECK_MPI(MPI_Wait(&send, &status));
  check_empty_status(&status);
  CHECK_MPI(MPI_Test(&send, &flag, &status));
  CHECK(flag, "Test of MPI_REQUEST_NULL is not complete");
  out("wait/test: got %d from %d", incoming, prev);
}

static void run_request_free(void) {
  int rank = world_rank();
  int size = world_size();
  int next = (rank + 1) % size;
  int prev = (rank + size - 1) % size;
  int outgoing[PAYLOAD];
  int incoming[PAYLOAD];
  for (int k = 0; k < PAYLOAD; ++k) outgoing[k] = payload(rank, 91, k);
  MPI_Request send;
  CHECK_MPI(MPI_Isend(outgoing, PAYLOAD, MPI_INT, next, 91, MPI_COMM_WORLD, &send));
  CHECK_MPI(MPI_Request_free(&send));
  CHECK(send == MPI_REQUEST_NULL, "Request_free did not null the handle");
  MPI_Request receive;
  CHECK_MPI(MPI_Irecv(incoming, PAYLOAD, MPI_INT, prev, 91, MPI_COMM_WORLD, &receive));
  int flag = 0;
  MPI_Status status;
  while (!flag) CHECK_MPI(MPI_Request_get_status(receive, &flag, &status));
  CHECK(receive != MPI_REQUEST_NULL, "Request_get_status freed the request");
  CHECK_INT(status.MPI_SOURCE, prev, "Request_get_status source");
  CHECK_INT(status.MPI_TAG, 91, "Request_get_status tag");
  CHECK_MPI(MPI_Wait(&receive, MPI_STATUS_IGNORE));
  for (int k = 0; k < PAYLOAD; ++k)
    CHECK_INT(incoming[k], payload(prev, 91, k), "payload of a freed send");
  /* The freed send's buffer must outlive its delivery. */
  CHECK_MPI(MPI_Barrier(MPI_COMM_WORLD));
  out("request_free and request_get_status: ok");
}

/* Small sends complete as they start and may share one request (Open MPI's UCX layer does
 * that too): each handle must still complete, cancel and free on its own. */
static void run_completed_sends(void) {
  int rank = world_rank();
  int size = world_size();
  int next = (rank + 1) % size;
  int prev = (rank + size - 1) % size;
  int outgoing[4] = {rank, rank + 1, rank + 2, rank + 3};
  int incoming[4] = {-1, -1, -1, -1};
  MPI_Request receives[4];
  MPI_Request sends[4];
  for (int k = 0; k < 4; ++k) {
    CHECK_MPI(MPI_Irecv(&incoming[k], 1, MPI_INT, prev, 92 + k, MPI_COMM_WORLD, &receives[k]));
  }
  for (int k = 0; k < 4; ++k) {
    CHECK_MPI(MPI_Isend(&outgoing[k], 1, MPI_INT, next, 92 + k, MPI_COMM_WORLD, &sends[k]));
  }
  MPI_Status status;
  CHECK_MPI(MPI_Wait(&sends[0], &status));
  CHECK(sends[0] == MPI_REQUEST_NULL, "Wait did not null the first send");
  CHECK(sends[1] != MPI_REQUEST_NULL, "waiting for one send nulled another");
  int flag = 0;
  while (!flag) CHECK_MPI(MPI_Request_get_status(sends[1], &flag, &status));
  CHECK(sends[1] != MPI_REQUEST_NULL, "Request_get_status freed a send");
  CHECK_MPI(MPI_Cancel(&sends[1]));
  CHECK_MPI(MPI_Wait(&sends[1], &status));
  int cancelled = 1;
  CHECK_MPI(MPI_Test_cancelled(&status, &cancelled));
  CHECK(!cancelled, "a completed send reports itself cancelled");
  CHECK(sends[1] == MPI_REQUEST_NULL, "Wait after Cancel did not null the send");
  int done = 0;
  int indices[2] = {-1, -1};
  while (done < 2) {
    int outcount = 0;
    CHECK_MPI(MPI_Waitsome(2, &sends[2], &outcount, indices + done, MPI_STATUSES_IGNORE));
    CHECK(outcount != MPI_UNDEFINED, "Waitsome found no active send");
    done += outcount;
  }
  CHECK(indices[0] != indices[1], "Waitsome reported send %d twice", indices[0]);
  CHECK(sends[2] == MPI_REQUEST_NULL && sends[3] == MPI_REQUEST_NULL, "Waitsome left a send active");
  CHECK_MPI(MPI_Waitall(4, receives, MPI_STATUSES_IGNORE));
  for (int k = 0; k < 4; ++k) CHECK_INT(incoming[k], prev + k, "payload of a small send");
  out("completed sends: ok");
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank = world_rank();
  CHECK_MPI(MPI_Comm_dup(MPI_COMM_SELF, &self_dup));
  CHECK_MPI(MPI_Comm_split(MPI_COMM_WORLD, rank < 2 ? 0 : MPI_UNDEFINED, rank, &pair));
  if (rank == 0) out("world size %d", world_size());
  run_wait_and_test();
  run_waitall(1);
  run_testall(2);
  run_waitany(3);
  run_testany(4);
  run_some(5, 1);
  run_some(6, 0);
  struct Mixed m;
  post_mixed(&m, 7);
  CHECK_MPI(MPI_Waitall(SLOTS, m.requests, MPI_STATUSES_IGNORE));
  out("waitall with MPI_STATUSES_IGNORE: ok");
  run_request_free();
  run_completed_sends();
  if (pair != MPI_COMM_NULL) CHECK_MPI(MPI_Comm_free(&pair));
  CHECK_MPI(MPI_Comm_free(&self_dup));
  finish("requests");
  return 0;
}
