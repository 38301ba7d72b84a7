/* MPI_THREAD_MULTIPLE: several threads of every rank call MPI at once. Point-to-point
   with wildcards on one communicator (blocking, nonblocking and matched probes), and
   collectives and communicator creation on a duplicate of the communicator per thread. */
#include "mpi_check.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

enum { THREADS = 4, MESSAGES = 200, ROUNDS = 50 };

static MPI_Comm thread_comms[THREADS];

struct Tally {
  long long received;
  long long payload_sum;
  long long collective_sum;
};
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

static void *run_thread(void *argument) {
  const int thread = (int)(intptr_t)argument;
  for (int phase = 0; phase < 3; ++phase) exchange_by_tag(thread, phase);
  collectives(thread);
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

  for (int t = 0; t < THREADS; ++t) CHECK_MPI(MPI_Comm_dup(MPI_COMM_WORLD, &thread_comms[t]));
  run_threads(run_thread);
  for (int t = 0; t < THREADS; ++t)
    out("thread %d: %lld messages by tag, payload sum %lld, collective sum %lld", t, tallies[t].received,
        tallies[t].payload_sum, tallies[t].collective_sum);
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
  finish("threads");
  return 0;
}
