/* Point-to-point: every send mode, wildcards, status, probes, cancel, persistence, order. */
#include "mpi_check.h"

#include <stdlib.h>
#include <string.h>

enum SendMode { SEND, SSEND, RSEND, BSEND, ISEND, ISSEND, IRSEND, IBSEND, MODE_COUNT };
static const char *const mode_names[MODE_COUNT] = {"Send",  "Ssend",  "Rsend",  "Bsend",
                                                    "Isend", "Issend", "Irsend", "Ibsend"};
/* 0 B, 8 B, 64 KiB and 4 MiB of MPI_INT. */
static const int sizes[] = {0, 2, 16384, 1048576};
enum { SIZE_COUNT = sizeof sizes / sizeof sizes[0] };

static int value(int src, int dst, int salt, int i) {
  return src * 1000003 + dst * 7919 + salt * 31 + i;
}

static int *make_message(int src, int dst, int salt, int count) {
  int *buf = malloc(sizeof(int) * (size_t)(count ? count : 1));
  CHECK(buf != NULL, "out of memory for %d ints", count);
  for (int i = 0; i < count; ++i) buf[i] = value(src, dst, salt, i);
  return buf;
}

static void check_message(const int *buf, int src, int dst, int salt, int count) {
  for (int i = 0; i < count; ++i)
    if (buf[i] != value(src, dst, salt, i))
      fail_at(__FILE__, __LINE__, "message %d->%d salt %d: element %d is %d, expected %d", src,
              dst, salt, i, buf[i], value(src, dst, salt, i));
}

static void check_status(const MPI_Status *status, int source, int tag, int count) {
  CHECK_INT(status->MPI_SOURCE, source, "status source");
  CHECK_INT(status->MPI_TAG, tag, "status tag");
  int got = -1;
  CHECK_MPI(MPI_Get_count(status, MPI_INT, &got));
  CHECK_INT(got, count, "Get_count");
  CHECK_MPI(MPI_Get_elements(status, MPI_INT, &got));
  CHECK_INT(got, count, "Get_elements");
}

static void send_with_mode(int mode, const int *buf, int count, int dst, int tag,
                           MPI_Request *request) {
  *request = MPI_REQUEST_NULL;
  switch (mode) {
    case SEND: CHECK_MPI(MPI_Send(buf, count, MPI_INT, dst, tag, MPI_COMM_WORLD)); break;
    case SSEND: CHECK_MPI(MPI_Ssend(buf, count, MPI_INT, dst, tag, MPI_COMM_WORLD)); break;
    case RSEND: CHECK_MPI(MPI_Rsend(buf, count, MPI_INT, dst, tag, MPI_COMM_WORLD)); break;
    case BSEND: CHECK_MPI(MPI_Bsend(buf, count, MPI_INT, dst, tag, MPI_COMM_WORLD)); break;
    case ISEND: CHECK_MPI(MPI_Isend(buf, count, MPI_INT, dst, tag, MPI_COMM_WORLD, request)); break;
    case ISSEND:
      CHECK_MPI(MPI_Issend(buf, count, MPI_INT, dst, tag, MPI_COMM_WORLD, request));
      break;
    case IRSEND:
      CHECK_MPI(MPI_Irsend(buf, count, MPI_INT, dst, tag, MPI_COMM_WORLD, request));
      break;
    default:
      CHECK_MPI(MPI_Ibsend(buf, count, MPI_INT, dst, tag, MPI_COMM_WORLD, request));
      break;
  }
}

static void attach_bsend_buffer(int count, int messages) {
  int packed = 0;
  CHECK_MPI(MPI_Pack_size(count, MPI_INT, MPI_COMM_WORLD, &packed));
  int bytes = messages * (packed + MPI_BSEND_OVERHEAD);
  CHECK_MPI(MPI_Buffer_attach(malloc((size_t)bytes), bytes));
}

static void detach_bsend_buffer(void) {
  void *buffer = NULL;
  int bytes = 0;
  CHECK_MPI(MPI_Buffer_detach(&buffer, &bytes));
  free(buffer);
}

/* Every rank sends one message to every other rank with the given mode; receives are
   posted (and a barrier passed) first so that ready sends are legal. */
static void all_pairs(int mode, int size_index) {
  int rank = world_rank();
  int size = world_size();
  int count = sizes[size_index];
  int tag = mode * 16 + size_index;
  int peers = size - 1;
  int **incoming = calloc((size_t)size, sizeof *incoming);
  int **outgoing = calloc((size_t)size, sizeof *outgoing);
  MPI_Request *requests = malloc(sizeof *requests * (size_t)(2 * size));
  MPI_Status *statuses = malloc(sizeof *statuses * (size_t)(2 * size));
  if (mode == BSEND || mode == IBSEND) attach_bsend_buffer(count, peers);
  for (int peer = 0; peer < size; ++peer) {
    requests[peer] = requests[size + peer] = MPI_REQUEST_NULL;
    if (peer == rank) continue;
    incoming[peer] = malloc(sizeof(int) * (size_t)(count ? count : 1));
    CHECK_MPI(MPI_Irecv(incoming[peer], count, MPI_INT, peer, tag, MPI_COMM_WORLD,
                        &requests[peer]));
  }
  CHECK_MPI(MPI_Barrier(MPI_COMM_WORLD));
  for (int step = 1; step < size; ++step) {
    int peer = (rank + step) % size;
    outgoing[peer] = make_message(rank, peer, tag, count);
    send_with_mode(mode, outgoing[peer], count, peer, tag, &requests[size + peer]);
  }
  CHECK_MPI(MPI_Waitall(2 * size, requests, statuses));
  for (int peer = 0; peer < size; ++peer) {
    if (peer == rank) continue;
    check_status(&statuses[peer], peer, tag, count);
    check_message(incoming[peer], peer, rank, tag, count);
    free(incoming[peer]);
    free(outgoing[peer]);
  }
  if (mode == BSEND || mode == IBSEND) detach_bsend_buffer();
  free(incoming);
  free(outgoing);
  free(requests);
  free(statuses);
}

static void check_all_pairs(void) {
  for (int mode = 0; mode < MODE_COUNT; ++mode) {
    int largest = mode == SEND || mode == ISEND ? SIZE_COUNT : SIZE_COUNT - 1;
    for (int s = 0; s < largest; ++s) all_pairs(mode, s);
    out("all pairs %s up to %d bytes: ok", mode_names[mode], sizes[largest - 1] * 4);
  }
}

static void check_ring(void) {
  int rank = world_rank();
  int size = world_size();
  int next = (rank + 1) % size;
  int prev = (rank + size - 1) % size;
  for (int s = 0; s < SIZE_COUNT; ++s) {
    int count = sizes[s];
    int *outgoing = make_message(rank, next, s, count);
    int *incoming = malloc(sizeof(int) * (size_t)(count ? count : 1));
    MPI_Request request;
    MPI_Status status;
    CHECK_MPI(MPI_Isend(outgoing, count, MPI_INT, next, 7, MPI_COMM_WORLD, &request));
    CHECK_MPI(MPI_Recv(incoming, count, MPI_INT, prev, 7, MPI_COMM_WORLD, &status));
    CHECK_MPI(MPI_Wait(&request, MPI_STATUS_IGNORE));
    check_status(&status, prev, 7, count);
    check_message(incoming, prev, rank, s, count);
    out("ring %d bytes from %d: ok", count * 4, prev);
    free(outgoing);
    free(incoming);
  }
}

static void check_sendrecv(void) {
  int rank = world_rank();
  int size = world_size();
  int next = (rank + 1) % size;
  int prev = (rank + size - 1) % size;
  int outgoing[4] = {rank, rank * 10, rank * 100, rank * 1000};
  int incoming[4] = {-1, -1, -1, -1};
  MPI_Status status;
  CHECK_MPI(MPI_Sendrecv(outgoing, 4, MPI_INT, next, 21, incoming, 4, MPI_INT, prev, 21,
                         MPI_COMM_WORLD, &status));
  check_status(&status, prev, 21, 4);
  CHECK_INT(incoming[3], prev * 1000, "Sendrecv payload");
  CHECK_MPI(MPI_Sendrecv_replace(outgoing, 4, MPI_INT, prev, 22, next, 22, MPI_COMM_WORLD,
                                 &status));
  check_status(&status, next, 22, 4);
  CHECK_INT(outgoing[2], next * 100, "Sendrecv_replace payload");
  out("sendrecv from %d, sendrecv_replace from %d: ok", prev, next);
}

static void check_proc_null(void) {
  int buf[2] = {5, 6};
  MPI_Status status;
  CHECK_MPI(MPI_Send(buf, 2, MPI_INT, MPI_PROC_NULL, 1, MPI_COMM_WORLD));
  CHECK_MPI(MPI_Recv(buf, 2, MPI_INT, MPI_PROC_NULL, 1, MPI_COMM_WORLD, &status));
  CHECK_INT(status.MPI_SOURCE, MPI_PROC_NULL, "PROC_NULL status source");
  CHECK_INT(status.MPI_TAG, MPI_ANY_TAG, "PROC_NULL status tag");
  int count = -1;
  CHECK_MPI(MPI_Get_count(&status, MPI_INT, &count));
  CHECK_INT(count, 0, "PROC_NULL count");
  CHECK_INT(buf[0], 5, "PROC_NULL receive leaves the buffer alone");
  if (world_rank() == 0) out("proc_null: ok");
}

/* Rank 0 receives one message from every other rank with both wildcards; arrival order
   is free, so results are recorded by source. */
static void check_wildcards(void) {
  int rank = world_rank();
  int size = world_size();
  if (rank != 0) {
    int *buf = make_message(rank, 0, 40, rank + 1);
    CHECK_MPI(MPI_Send(buf, rank + 1, MPI_INT, 0, 100 + rank, MPI_COMM_WORLD));
    free(buf);
    return;
  }
  int seen[4] = {0, 0, 0, 0};
  for (int i = 1; i < size; ++i) {
    int buf[8];
    MPI_Status status;
    CHECK_MPI(MPI_Recv(buf, 8, MPI_INT, MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &status));
    int src = status.MPI_SOURCE;
    CHECK(src > 0 && src < size && !seen[src], "unexpected wildcard source %d", src);
    seen[src] = 1;
    check_status(&status, src, 100 + src, src + 1);
    check_message(buf, src, 0, 40, src + 1);
  }
  for (int src = 1; src < size; ++src)
    out("any_source/any_tag from %d: tag %d, %d ints", src, 100 + src, src + 1);
}

/* Keeps later phases' messages out of the wildcard receives above. */
static void check_wildcards_isolated(void) {
  check_wildcards();
  CHECK_MPI(MPI_Barrier(MPI_COMM_WORLD));
}

static void check_truncate(void) {
  int rank = world_rank();
  MPI_Comm comm;
  CHECK_MPI(MPI_Comm_dup(MPI_COMM_WORLD, &comm));
  CHECK_MPI(MPI_Comm_set_errhandler(comm, MPI_ERRORS_RETURN));
  int buf[10];
  for (int i = 0; i < 10; ++i) buf[i] = i;
  if (rank == 1) CHECK_MPI(MPI_Send(buf, 10, MPI_INT, 0, 3, comm));
  if (rank == 0) {
    MPI_Status status;
    int rc = MPI_Recv(buf, 5, MPI_INT, 1, 3, comm, &status);
    int error_class = MPI_SUCCESS;
    MPI_Error_class(rc, &error_class);
    CHECK_INT(error_class, MPI_ERR_TRUNCATE, "error class of a truncated receive");
    out("truncated receive returns MPI_ERR_TRUNCATE");
  }
  CHECK_MPI(MPI_Comm_free(&comm));
}

static void send_probe_messages(int dst) {
  int rank = world_rank();
  for (int tag = 1; tag <= 4; ++tag) {
    int *buf = make_message(rank, dst, 50 + tag, tag * 3);
    CHECK_MPI(MPI_Send(buf, tag * 3, MPI_INT, dst, tag, MPI_COMM_WORLD));
    free(buf);
  }
}

static int probed_count(const MPI_Status *status, int src, int tag) {
  CHECK_INT(status->MPI_SOURCE, src, "probe source");
  CHECK_INT(status->MPI_TAG, tag, "probe tag");
  int count = -1;
  CHECK_MPI(MPI_Get_count(status, MPI_INT, &count));
  CHECK_INT(count, tag * 3, "probed count");
  return count;
}

/* Each rank sends tags 1..4 to the next, which picks them up in reverse order with
   Improbe, Mprobe, Iprobe and Probe. */
static void check_probes(void) {
  int rank = world_rank();
  int size = world_size();
  int next = (rank + 1) % size;
  int prev = (rank + size - 1) % size;
  int buf[12];
  MPI_Status status;
  MPI_Message message;
  MPI_Request request;
  int flag = 0;
  send_probe_messages(next);

  CHECK_MPI(MPI_Improbe(prev, 4, MPI_COMM_WORLD, &flag, &message, &status));
  while (!flag) CHECK_MPI(MPI_Improbe(prev, 4, MPI_COMM_WORLD, &flag, &message, &status));
  int count = probed_count(&status, prev, 4);
  CHECK_MPI(MPI_Imrecv(buf, count, MPI_INT, &message, &request));
  CHECK(message == MPI_MESSAGE_NULL, "Imrecv did not reset the message handle");
  CHECK_MPI(MPI_Wait(&request, &status));
  check_status(&status, prev, 4, count);
  check_message(buf, prev, rank, 54, count);

  CHECK_MPI(MPI_Mprobe(prev, 3, MPI_COMM_WORLD, &message, &status));
  count = probed_count(&status, prev, 3);
  CHECK_MPI(MPI_Mrecv(buf, count, MPI_INT, &message, &status));
  check_status(&status, prev, 3, count);
  check_message(buf, prev, rank, 53, count);

  for (flag = 0; !flag;) CHECK_MPI(MPI_Iprobe(prev, 2, MPI_COMM_WORLD, &flag, &status));
  count = probed_count(&status, prev, 2);
  CHECK_MPI(MPI_Recv(buf, count, MPI_INT, prev, 2, MPI_COMM_WORLD, &status));
  check_message(buf, prev, rank, 52, count);

  CHECK_MPI(MPI_Probe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &status));
  count = probed_count(&status, prev, 1);
  CHECK_MPI(MPI_Recv(buf, count, MPI_INT, prev, 1, MPI_COMM_WORLD, &status));
  check_message(buf, prev, rank, 51, count);
  out("probe, iprobe, mprobe/mrecv, improbe/imrecv from %d: ok", prev);
}

static void check_cancel(void) {
  int buf[4];
  MPI_Request request;
  MPI_Status status;
  CHECK_MPI(MPI_Irecv(buf, 4, MPI_INT, MPI_ANY_SOURCE, 999, MPI_COMM_WORLD, &request));
  CHECK_MPI(MPI_Cancel(&request));
  CHECK_MPI(MPI_Wait(&request, &status));
  int cancelled = 0;
  CHECK_MPI(MPI_Test_cancelled(&status, &cancelled));
  CHECK(cancelled, "cancelled receive is not marked cancelled");
  CHECK(request == MPI_REQUEST_NULL, "Wait left a cancelled request active");
  out("cancel of a receive: cancelled");
}

static void check_persistent(void) {
  int rank = world_rank();
  int size = world_size();
  int next = (rank + 1) % size;
  int prev = (rank + size - 1) % size;
  int outgoing[16];
  int incoming[16];
  MPI_Request requests[2];
  CHECK_MPI(MPI_Recv_init(incoming, 16, MPI_INT, prev, 60, MPI_COMM_WORLD, &requests[0]));
  CHECK_MPI(MPI_Send_init(outgoing, 16, MPI_INT, next, 60, MPI_COMM_WORLD, &requests[1]));
  for (int round = 0; round < 4; ++round) {
    for (int i = 0; i < 16; ++i) outgoing[i] = value(rank, next, round, i);
    if (round % 2 == 0) {
      CHECK_MPI(MPI_Startall(2, requests));
    } else {
      CHECK_MPI(MPI_Start(&requests[0]));
      CHECK_MPI(MPI_Start(&requests[1]));
    }
    MPI_Status statuses[2];
    CHECK_MPI(MPI_Waitall(2, requests, statuses));
    CHECK(requests[0] != MPI_REQUEST_NULL, "Waitall freed a persistent request");
    check_status(&statuses[0], prev, 60, 16);
    check_message(incoming, prev, rank, round, 16);
  }
  CHECK_MPI(MPI_Request_free(&requests[0]));
  CHECK_MPI(MPI_Request_free(&requests[1]));
  out("persistent send/recv, 4 rounds from %d: ok", prev);
}

/* Many messages with the same tag and growing sizes must arrive in the order sent. */
static void check_order(void) {
  enum { MESSAGES = 200 };
  int rank = world_rank();
  int size = world_size();
  int next = (rank + 1) % size;
  int prev = (rank + size - 1) % size;
  int *outgoing = malloc(sizeof(int) * MESSAGES * MESSAGES);
  MPI_Request requests[MESSAGES];
  for (int m = 0; m < MESSAGES; ++m) {
    int count = m * 37 % MESSAGES + 1;
    for (int i = 0; i < count; ++i) outgoing[m * MESSAGES + i] = value(rank, m, 0, i);
    CHECK_MPI(MPI_Isend(&outgoing[m * MESSAGES], count, MPI_INT, next, 70, MPI_COMM_WORLD,
                        &requests[m]));
  }
  int incoming[MESSAGES];
  for (int m = 0; m < MESSAGES; ++m) {
    MPI_Status status;
    CHECK_MPI(MPI_Recv(incoming, MESSAGES, MPI_INT, prev, 70, MPI_COMM_WORLD, &status));
    check_status(&status, prev, 70, m * 37 % MESSAGES + 1);
    for (int i = 0; i < m * 37 % MESSAGES + 1; ++i)
      CHECK_INT(incoming[i], value(prev, m, 0, i), "ordered message payload");
  }
  CHECK_MPI(MPI_Waitall(MESSAGES, requests, MPI_STATUSES_IGNORE));
  free(outgoing);
  out("%d same-tag messages from %d arrived in order", MESSAGES, prev);
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  if (world_rank() == 0) out("world size %d", world_size());
  check_ring();
  check_all_pairs();
  check_sendrecv();
  check_proc_null();
  check_wildcards_isolated();
  check_truncate();
  check_probes();
  check_cancel();
  check_persistent();
  check_order();
  finish("p2p");
  return 0;
}
