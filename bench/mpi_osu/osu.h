/* The measuring loop shared by the OSU-style benchmarks: for each message size from 8 B
 * up, warm up, time `iterations` calls, and have rank 0 print "NAME SIZE VALUE": for the
 * collectives the slowest rank's mean latency per call in microseconds, for the
 * point-to-point ones what their operation reports. */
#ifndef FERRY_BENCH_MPI_OSU_H
#define FERRY_BENCH_MPI_OSU_H

#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { osu_min_size = 8, osu_collective_max_size = 1 << 20, osu_point_to_point_max_size = 4 << 20 };

/* One call of the collective on `bytes` per rank; `send` and `receive` hold
 * bytes * ranks. */
typedef void (*osu_operation)(char* send, char* receive, int bytes);

static inline int osu_iterations(int bytes) { return bytes <= (16 << 10) ? 200 : bytes <= (256 << 10) ? 50 : 20; }

/* Buffers of `capacity` bytes each, touched, or the job is aborted. */
static inline void osu_allocate(const char* name, size_t capacity, int rank, char** send, char** receive) {
  *send = malloc(capacity);
  *receive = malloc(capacity);
  if (*send == NULL || *receive == NULL) {
    fprintf(stderr, "%s: cannot allocate %zu bytes\n", name, 2 * capacity);
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  memset(*send, rank + 1, capacity);
  memset(*receive, 0xff, capacity);
}

/* MPI_Init for a point-to-point benchmark between ranks 0 and 1: aborts the job on fewer
 * than 2 ranks, allocates the buffers, and returns this rank. */
static inline int osu_point_to_point_init(int* argc, char*** argv, const char* name, char** send, char** receive) {
  MPI_Init(argc, argv);
  int rank = 0, ranks = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &ranks);
  if (ranks < 2) {
    if (rank == 0) fprintf(stderr, "%s: needs at least 2 ranks\n", name);
    MPI_Abort(MPI_COMM_WORLD, 2);
  }
  osu_allocate(name, (size_t)osu_point_to_point_max_size, rank, send, receive);
  return rank;
}

static inline double osu_latency_us(osu_operation operation, char* send, char* receive, int bytes) {
  const int iterations = osu_iterations(bytes), warmup = iterations / 10 + 1;
  double start = 0;
  for (int i = 0; i < warmup + iterations; ++i) {
    if (i == warmup) {
      MPI_Barrier(MPI_COMM_WORLD);
      start = MPI_Wtime();
    }
    operation(send, receive, bytes);
  }
  const double mean_us = (MPI_Wtime() - start) * 1e6 / iterations;
  double slowest = 0;
  MPI_Reduce(&mean_us, &slowest, 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
  return slowest;
}

/* Runs `operation` over every size (or once, with size 0, when `sized` is 0). */
static inline int osu_main(int argc, char** argv, const char* name, osu_operation operation, int sized) {
  MPI_Init(&argc, &argv);
  int rank = 0, ranks = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &ranks);
  char *send = NULL, *receive = NULL;
  osu_allocate(name, (size_t)osu_collective_max_size * (size_t)ranks, rank, &send, &receive);
  for (int bytes = sized ? osu_min_size : 0; bytes <= (sized ? osu_collective_max_size : 0);
       bytes = sized ? 2 * bytes : 1) {
    const double latency = osu_latency_us(operation, send, receive, bytes);
    if (rank == 0) printf("%s %d %.3f\n", name, bytes, latency);
  }
  free(send);
  free(receive);
  MPI_Finalize();
  return 0;
}

#endif
