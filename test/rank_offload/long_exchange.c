/* A long exchange that checks every message: each round, a ring halo exchange with
 * Isend/Irecv/Waitall, a request/reply to the right neighbour driven by MPI_Iprobe
 * polling, and an Allreduce that also carries rank 0's decision to stop once SECONDS
 * have passed. Usage: long_exchange SECONDS. Rank 0 prints "long-exchange ROUNDS ok". */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

enum { halo_words = 64, halo_tag = 1, request_tag = 2, reply_tag = 3 };

static void fail(int rank, long round, const char* what) {
  fprintf(stderr, "long_exchange: rank %d, round %ld: %s\n", rank, round, what);
  MPI_Abort(MPI_COMM_WORLD, 3);
}

static long word(long round, int from, int index) { return round * 1000003L + from * 1009L + index; }

/* Answers the left neighbour's request and waits for the right neighbour's reply, polling
 * with MPI_Iprobe for whichever comes first. */
static void request_reply(int rank, int left, int right, long round) {
  long request = round * 7 + rank, answer = 0, incoming = 0;
  MPI_Request sent[2] = {MPI_REQUEST_NULL, MPI_REQUEST_NULL};
  MPI_Isend(&request, 1, MPI_LONG, right, request_tag, MPI_COMM_WORLD, &sent[0]);
  int answered = 0, replied = 0;
  while (!answered || !replied) {
    int found = 0;
    MPI_Status status;
    MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &found, &status);
    if (!found) continue;
    if (status.MPI_TAG == request_tag && !answered) {
      MPI_Recv(&incoming, 1, MPI_LONG, left, request_tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      if (incoming != round * 7 + left) fail(rank, round, "a request carried the wrong value");
      answer = incoming + 1;
      MPI_Isend(&answer, 1, MPI_LONG, left, reply_tag, MPI_COMM_WORLD, &sent[1]);
      answered = 1;
    } else if (status.MPI_TAG == reply_tag && !replied) {
      long reply = 0;
      MPI_Recv(&reply, 1, MPI_LONG, right, reply_tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      if (reply != request + 1) fail(rank, round, "a reply carried the wrong value");
      replied = 1;
    } else {
      fail(rank, round, "a message arrived that this round does not expect");
    }
  }
  MPI_Waitall(2, sent, MPI_STATUSES_IGNORE);
}

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0, size = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  const double seconds = argc > 1 ? atof(argv[1]) : 0;
  if (size < 2 || seconds <= 0) {
    if (rank == 0) fprintf(stderr, "usage: long_exchange SECONDS, on at least 2 ranks\n");
    MPI_Abort(MPI_COMM_WORLD, 2);
  }
  const int left = (rank + size - 1) % size, right = (rank + 1) % size;
  long out[2][halo_words], in[2][halo_words];
  const double start = MPI_Wtime();
  long round = 0;
  for (int stop = 0; !stop; ++round) {
    for (int i = 0; i < halo_words; ++i) out[0][i] = out[1][i] = word(round, rank, i);
    MPI_Request halo[4];
    MPI_Irecv(in[0], halo_words, MPI_LONG, left, halo_tag, MPI_COMM_WORLD, &halo[0]);
    MPI_Irecv(in[1], halo_words, MPI_LONG, right, halo_tag, MPI_COMM_WORLD, &halo[1]);
    MPI_Isend(out[0], halo_words, MPI_LONG, right, halo_tag, MPI_COMM_WORLD, &halo[2]);
    MPI_Isend(out[1], halo_words, MPI_LONG, left, halo_tag, MPI_COMM_WORLD, &halo[3]);
    MPI_Waitall(4, halo, MPI_STATUSES_IGNORE);
    for (int i = 0; i < halo_words; ++i) {
      if (in[0][i] != word(round, left, i) || in[1][i] != word(round, right, i)) fail(rank, round, "a halo is wrong");
    }
    request_reply(rank, left, right, round);
    long mine[2] = {rank + round, rank == 0 && MPI_Wtime() - start >= seconds}, total[2] = {0, 0};
    MPI_Allreduce(mine, total, 2, MPI_LONG, MPI_SUM, MPI_COMM_WORLD);
    if (total[0] != (long)size * (size - 1) / 2 + size * round) fail(rank, round, "the Allreduce is wrong");
    stop = total[1] != 0;
  }
  if (rank == 0) printf("long-exchange %ld ok\n", round);
  MPI_Finalize();
  return 0;
}
