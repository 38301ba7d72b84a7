/* MPI_THREAD_MULTIPLE: several threads of every rank call MPI at once. Point-to-point
   with wildcards on one communicator (blocking, nonblocking and matched probes), and on a
   duplicate of the communicator per thread: collectives, communicator creation, a window
   with a contended counter, and a file written and read back. */
#define _GNU_SOURCE
#include "mpi_check.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

enum { THREADS = 4, MESSAGES = 200, ROUNDS = 50 };

static MPI_Comm thread_comms[THREADS];

struct Tally {
  long long received;
  long long payload_sum;
  long long collective_sum;
  long long counter;      /* rank 0's window counter after every rank's increments */
  long long file_values;  /* values read back correctly from the thread's file */
};
static char directory[256];
static struct Tally tallies[THREADS];

static long long payload(int source, int thread, int i) { return (long long)source * 100000 + thread * 1000 + i; }

/* Every thread sends MESSAGES messages with its own tag to every other rank and receives
   as many from any source; one kind of call per phase. */
static void exchange_by_tag(int thread, int phase) {
  const int rank = world_rank(), size = world_size();
  const int tag = thread + phase * THREADS;
  struct Tally *tally = &tallies[thread];
  const int expected = (size - 1) * MESSAGES;
  MPI_Request *sends = malloc(sizeof(MPI_Request) * (size_t)(expected ? expected : 1));
  long long *outgoing = malloc(sizeof(long long) * (size_t)(expected ? expected : 1));
  CHECK(sends && outgoing, "out of memory");
  int n = 0;
  for (int peer = 0; peer < size; ++peer) {
    if (peer == rank) continue;
    for (int i = 0; i < MESSAGES; ++i, ++n) {
      outgoing[n] = payload(rank, thread, i);
      CHECK_MPI(MPI_Isend(&outgoing[n], 1, MPI_LONG_LONG, peer, tag, MPI_COMM_WORLD, &sends[n]));
    }
  }
  for (int i = 0; i < expected; ++i) {
    long long value = -1;
    MPI_Status status;
    if (phase == 0) {
      CHECK_MPI(MPI_Recv(&value, 1, MPI_LONG_LONG, MPI_ANY_SOURCE, tag, MPI_COMM_WORLD, &status));
    } else if (phase == 1) {
      MPI_Request request;
      CHECK_MPI(MPI_Irecv(&value, 1, MPI_LONG_LONG, MPI_ANY_SOURCE, tag, MPI_COMM_WORLD, &request));
      int done = 0;
      while (!done) CHECK_MPI(MPI_Test(&request, &done, &status));
    } else {
      MPI_Message message;
      CHECK_MPI(MPI_Mprobe(MPI_ANY_SOURCE, tag, MPI_COMM_WORLD, &message, &status));
      CHECK_MPI(MPI_Mrecv(&value, 1, MPI_LONG_LONG, &message, &status));
    }
    CHECK_INT(status.MPI_TAG, tag, "status tag");
    CHECK(status.MPI_SOURCE != rank && status.MPI_SOURCE >= 0 && status.MPI_SOURCE < size, "source %d",
          status.MPI_SOURCE);
    CHECK(value / 100000 == status.MPI_SOURCE, "payload %lld from rank %d", value, status.MPI_SOURCE);
    tally->received += 1;
    tally->payload_sum += value;
  }
  CHECK_MPI(MPI_Waitall(n, sends, MPI_STATUSES_IGNORE));
  free(outgoing);
  free(sends);
}

/* Messages with any tag from any source: every thread receives its share of what the
   other ranks send to this rank, whichever thread sent it. */
static void exchange_any_tag(int thread) {
  const int rank = world_rank(), size = world_size();
  struct Tally *tally = &tallies[thread];
  const int tag_base = 1000;
  for (int peer = 0; peer < size; ++peer) {
    if (peer == rank) continue;
    for (int i = 0; i < MESSAGES; ++i) {
      long long value = payload(rank, thread, i);
      CHECK_MPI(MPI_Send(&value, 1, MPI_LONG_LONG, peer, tag_base + thread, MPI_COMM_WORLD));
    }
  }
  for (int i = 0; i < (size - 1) * MESSAGES; ++i) {
    long long value = -1;
    MPI_Status status;
    CHECK_MPI(MPI_Recv(&value, 1, MPI_LONG_LONG, MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &status));
    CHECK(status.MPI_TAG >= tag_base && status.MPI_TAG < tag_base + THREADS, "tag %d", status.MPI_TAG);
    tally->received += 1;
    tally->payload_sum += value;
  }
}

static void collectives(int thread) {
  MPI_Comm comm = thread_comms[thread];
  int rank, size;
  CHECK_MPI(MPI_Comm_rank(comm, &rank));
  CHECK_MPI(MPI_Comm_size(comm, &size));
  for (int round = 0; round < ROUNDS; ++round) {
    long long mine = (long long)(rank + 1) * (thread + 1) + round, sum = 0;
    CHECK_MPI(MPI_Allreduce(&mine, &sum, 1, MPI_LONG_LONG, MPI_SUM, comm));
    long long root_value = rank == round % size ? sum * 3 : -1;
    CHECK_MPI(MPI_Bcast(&root_value, 1, MPI_LONG_LONG, round % size, comm));
    CHECK_INT(root_value, sum * 3, "Bcast");
    MPI_Request request;
    CHECK_MPI(MPI_Ibarrier(comm, &request));
    CHECK_MPI(MPI_Wait(&request, MPI_STATUS_IGNORE));
    tallies[thread].collective_sum += sum;
  }
  /* Communicators made at once by every thread: halves of the world (all batch ranks or
     all function ranks in some placements) and the whole world again. */
  for (int round = 0; round < 5; ++round) {
    MPI_Comm half;
    CHECK_MPI(MPI_Comm_split(comm, rank < size / 2, size - rank, &half));
    int half_size = 0;
    long long one = 1, members = 0;
    CHECK_MPI(MPI_Comm_size(half, &half_size));
    CHECK_MPI(MPI_Allreduce(&one, &members, 1, MPI_LONG_LONG, MPI_SUM, half));
    CHECK_INT(members, half_size, "members of a half");
    CHECK_MPI(MPI_Comm_free(&half));
    tallies[thread].collective_sum += members;
  }
}

/* A window per thread: every rank increments a counter on rank 0 with MPI_Fetch_and_op
   under a shared lock, while the other threads do the same on their own windows. */
static void one_sided(int thread) {
  MPI_Comm comm = thread_comms[thread];
  int rank, size;
  CHECK_MPI(MPI_Comm_rank(comm, &rank));
  CHECK_MPI(MPI_Comm_size(comm, &size));
  long long *counter = NULL;
  MPI_Win window;
  CHECK_MPI(MPI_Win_allocate(sizeof(long long), sizeof(long long), MPI_INFO_NULL, comm, &counter, &window));
  *counter = 0;
  CHECK_MPI(MPI_Barrier(comm));
  CHECK_MPI(MPI_Win_lock_all(0, window));
  const long long one = 1;
  for (int round = 0; round < ROUNDS; ++round) {
    long long before = -1;
    CHECK_MPI(MPI_Fetch_and_op(&one, &before, MPI_LONG_LONG, 0, 0, MPI_SUM, window));
    CHECK_MPI(MPI_Win_flush(0, window));
    CHECK(before >= 0 && before < (long long)size * ROUNDS, "counter was %lld", before);
  }
  CHECK_MPI(MPI_Win_unlock_all(window));
  CHECK_MPI(MPI_Barrier(comm));
  long long total = 0;
  CHECK_MPI(MPI_Win_lock(MPI_LOCK_SHARED, 0, 0, window));
  CHECK_MPI(MPI_Get(&total, 1, MPI_LONG_LONG, 0, 0, 1, MPI_LONG_LONG, window));
  CHECK_MPI(MPI_Win_unlock(0, window));
  tallies[thread].counter = total;
  CHECK_MPI(MPI_Win_free(&window));
}

/* A file per thread: every rank writes its block collectively, then reads every block. */
static void file_access(int thread) {
  MPI_Comm comm = thread_comms[thread];
  int rank, size;
  CHECK_MPI(MPI_Comm_rank(comm, &rank));
  CHECK_MPI(MPI_Comm_size(comm, &size));
  char path[512];
  snprintf(path, sizeof path, "%s/thread-%d", directory, thread);
  enum { BLOCK = 1024 };
  int block[BLOCK];
  for (int i = 0; i < BLOCK; ++i) block[i] = rank * 100000 + thread * 10000 + i;
  MPI_File file;
  CHECK_MPI(MPI_File_open(comm, path, MPI_MODE_CREATE | MPI_MODE_RDWR | MPI_MODE_DELETE_ON_CLOSE, MPI_INFO_NULL,
                          &file));
  CHECK_MPI(MPI_File_write_at_all(file, (MPI_Offset)rank * sizeof block, block, BLOCK, MPI_INT, MPI_STATUS_IGNORE));
  CHECK_MPI(MPI_File_sync(file));
  for (int owner = 0; owner < size; ++owner) {
    CHECK_MPI(MPI_File_read_at(file, (MPI_Offset)owner * sizeof block, block, BLOCK, MPI_INT, MPI_STATUS_IGNORE));
    for (int i = 0; i < BLOCK; ++i) {
      CHECK_INT(block[i], owner * 100000 + thread * 10000 + i, "value read back");
      tallies[thread].file_values += 1;
    }
  }
  CHECK_MPI(MPI_File_close(&file));
}

static void *run_thread(void *argument) {
  const int thread = (int)(intptr_t)argument;
  for (int phase = 0; phase < 3; ++phase) exchange_by_tag(thread, phase);
  collectives(thread);
  one_sided(thread);
  file_access(thread);
  return NULL;
}

static void *run_any_tag(void *argument) {
  exchange_any_tag((int)(intptr_t)argument);
  return NULL;
}

static void run_threads(void *(*body)(void *)) {
  pthread_t threads[THREADS];
  for (int t = 0; t < THREADS; ++t)
    CHECK(pthread_create(&threads[t], NULL, body, (void *)(intptr_t)t) == 0, "pthread_create");
  for (int t = 0; t < THREADS; ++t) CHECK(pthread_join(threads[t], NULL) == 0, "pthread_join");
}

int main(int argc, char **argv) {
  int provided = -1;
  CHECK_MPI(MPI_Init_thread(&argc, &argv, MPI_THREAD_MULTIPLE, &provided));
  CHECK_INT(provided, MPI_THREAD_MULTIPLE, "provided thread level");
  int queried = -1, main_thread = 0;
  CHECK_MPI(MPI_Query_thread(&queried));
  CHECK_MPI(MPI_Is_thread_main(&main_thread));
  out("thread level %d (main thread: %d)", queried, main_thread);
  out_flush();

  if (world_rank() == 0) {
    snprintf(directory, sizeof directory, "%s/ferry-threads-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    CHECK(mkdtemp(directory) != NULL, "mkdtemp");
  }
  CHECK_MPI(MPI_Bcast(directory, sizeof directory, MPI_CHAR, 0, MPI_COMM_WORLD));
  for (int t = 0; t < THREADS; ++t) CHECK_MPI(MPI_Comm_dup(MPI_COMM_WORLD, &thread_comms[t]));
  run_threads(run_thread);
  for (int t = 0; t < THREADS; ++t)
    out("thread %d: %lld messages by tag, payload sum %lld, collective sum %lld, counter %lld, %lld values read "
        "back", t, tallies[t].received, tallies[t].payload_sum, tallies[t].collective_sum, tallies[t].counter,
        tallies[t].file_values);
  out_flush();

  for (int t = 0; t < THREADS; ++t) tallies[t].received = tallies[t].payload_sum = 0;
  CHECK_MPI(MPI_Barrier(MPI_COMM_WORLD));
  run_threads(run_any_tag);
  long long received = 0, sum = 0;
  for (int t = 0; t < THREADS; ++t) {
    received += tallies[t].received;
    sum += tallies[t].payload_sum;
  }
  out("any tag: %lld messages, payload sum %lld", received, sum);
  for (int t = 0; t < THREADS; ++t) CHECK_MPI(MPI_Comm_free(&thread_comms[t]));
  CHECK_MPI(MPI_Barrier(MPI_COMM_WORLD));
  if (world_rank() == 0) CHECK(rmdir(directory) == 0, "rmdir %s: the threads' files were left behind", directory);
  finish("threads");
  return 0;
}
