/* A message-driven code: no rank ever blocks in a receive. Each polls with MPI_Iprobe
 * for any message, answers requests from its left neighbour and, whenever the answer to
 * its own last request has arrived, sends the next one to its right neighbour (Isend).
 * Usage: probe_loop [REQUESTS] (20000). Rank 0 prints "probe-round-trip 0 MICROSECONDS". */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

enum { request_tag = 1, reply_tag = 2, pending_limit = 64 };

struct Outgoing {
  MPI_Request requests[pending_limit];
  long values[pending_limit];
  int next;
};

/* Isend of `value`; the oldest send is completed first when all slots are in use. */
static void send(struct Outgoing* out, long value, int dest, int tag) {
  const int slot = out->next++ % pending_limit;
  if (out->next > pending_limit) MPI_Wait(&out->requests[slot], MPI_STATUS_IGNORE);
  out->values[slot] = value;
  MPI_Isend(&out->values[slot], 1, MPI_LONG, dest, tag, MPI_COMM_WORLD, &out->requests[slot]);
}

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0, size = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  const long requests = argc > 1 ? atol(argv[1]) : 20000;
  if (size < 2 || requests < 1) {
    if (rank == 0) fprintf(stderr, "usage: probe_loop [REQUESTS], on at least 2 ranks\n");
    MPI_Abort(MPI_COMM_WORLD, 2);
  }
  const int left = (rank + size - 1) % size, right = (rank + 1) % size;
  struct Outgoing out = {.next = 0};
  long replies = 0, answered = 0;
  MPI_Barrier(MPI_COMM_WORLD);
  const double start = MPI_Wtime();
  send(&out, 0, right, request_tag);
  while (replies < requests || answered < requests) {
    int found = 0;
    MPI_Status status;
    MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &found, &status);
    if (!found) continue;
    long value = 0;
    MPI_Recv(&value, 1, MPI_LONG, status.MPI_SOURCE, status.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    if (status.MPI_TAG == request_tag) {
      send(&out, value + 1, left, reply_tag);
      ++answered;
    } else if (++replies < requests) {
      send(&out, value, right, request_tag);
    }
  }
  const double seconds = MPI_Wtime() - start;
  const int pending = out.next < pending_limit ? out.next : pending_limit;
  MPI_Waitall(pending, out.requests, MPI_STATUSES_IGNORE);
  if (rank == 0) printf("probe-round-trip 0 %.3f\n", seconds * 1e6 / (double)requests);
  MPI_Finalize();
  return 0;
}
