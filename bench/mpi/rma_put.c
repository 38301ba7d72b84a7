/* MPI_Put + MPI_Win_flush from rank 0, on 3 ranks, in the same processes: to rank 1
 * through a window of ranks 0 and 1 (under `ferry run -n 2 --functions 1` a native
 * communicator, so Open MPI's own one-sided component), and to rank 2 through a window of
 * all three (under ferry run a hybrid one, served by the shim over UCX; rank 2 is the
 * function rank). Rank 0 prints "latency-native 8 USEC", "latency-world 8 USEC",
 * "bandwidth-native 1048576 MBPS" and "bandwidth-world 1048576 MBPS". */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

enum { small = 8, large = 1 << 20, small_count = 2000, large_count = 200, warmup = 20 };

/* Microseconds per MPI_Put of `bytes` followed by MPI_Win_flush. */
static double put_flush_us(MPI_Win win, int target, char *buffer, int bytes, int count) {
  double start = 0;
  MPI_Win_lock(MPI_LOCK_SHARED, target, 0, win);
  for (int i = 0; i < warmup + count; ++i) {
    if (i == warmup) start = MPI_Wtime();
    MPI_Put(buffer, bytes, MPI_CHAR, target, 0, bytes, MPI_CHAR, win);
    MPI_Win_flush(target, win);
  }
  const double elapsed = MPI_Wtime() - start;
  MPI_Win_unlock(target, win);
  return elapsed * 1e6 / count;
}

static void measure(MPI_Win win, int target, char *buffer, const char *name) {
  const double latency = put_flush_us(win, target, buffer, small, small_count);
  const double per_put = put_flush_us(win, target, buffer, large, large_count);
  printf("latency-%s %d %.3f\n", name, small, latency);
  printf("bandwidth-%s %d %.3f\n", name, large, (double)large / per_put);
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank = 0, size = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  if (size != 3) {
    if (rank == 0) fprintf(stderr, "rma_put needs exactly 3 ranks, not %d\n", size);
    MPI_Abort(MPI_COMM_WORLD, 2);
  }
  char *buffer = malloc(large);
  for (int i = 0; i < large; ++i) buffer[i] = (char)i;
  MPI_Comm pair;
  MPI_Comm_split(MPI_COMM_WORLD, rank < 2 ? 0 : MPI_UNDEFINED, rank, &pair);
  void *world_memory = NULL, *pair_memory = NULL;
  MPI_Win world_win, pair_win = MPI_WIN_NULL;
  MPI_Win_allocate(large, 1, MPI_INFO_NULL, MPI_COMM_WORLD, &world_memory, &world_win);
  if (pair != MPI_COMM_NULL) MPI_Win_allocate(large, 1, MPI_INFO_NULL, pair, &pair_memory, &pair_win);
  /* The pair's target waits in a call on the pair, where Open MPI's progress serves it. */
  if (pair != MPI_COMM_NULL) {
    if (rank == 0) measure(pair_win, 1, buffer, "native");
    MPI_Barrier(pair);
  }
  if (rank == 0) measure(world_win, 2, buffer, "world");
  MPI_Barrier(MPI_COMM_WORLD);
  if (pair != MPI_COMM_NULL) {
    MPI_Win_free(&pair_win);
    MPI_Comm_free(&pair);
  }
  MPI_Win_free(&world_win);
  free(buffer);
  MPI_Finalize();
  return 0;
}
