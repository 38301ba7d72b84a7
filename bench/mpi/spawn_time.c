/* How long MPI_Comm_spawn takes, from the call until the intercommunicator carries a
 * message, and how many spawn-use-release cycles a master gets through per second.
 * Rank 0 of a one-rank job prints
 *   spawn_ms N MS       median over the repeats, for N children
 *   spawn_cycle 1 PER_S cycles per second of: spawn 1 worker, send it work, get the
 *                       result, disconnect (the worker finalizes)
 *   spawn_time [REPEATS] [COUNTS...]   (default 5 repeats of 1 4 16) */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int compare(const void* a, const void* b) {
  const double x = *(const double*)a, y = *(const double*)b;
  return x < y ? -1 : x > y;
}

static void child(MPI_Comm parent) {
  int rank, work = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  if (rank == 0) {
    MPI_Recv(&work, 1, MPI_INT, 0, 0, parent, MPI_STATUS_IGNORE);
    work *= 2;
    MPI_Send(&work, 1, MPI_INT, 0, 0, parent);
  }
  MPI_Comm_disconnect(&parent);
  MPI_Finalize();
}

/* One spawn of `count` children and one round trip with child 0; seconds taken by the
 * spawn and the round trip (the disconnect is not counted). */
static double spawn_once(char* self, int count) {
  MPI_Comm children;
  const double start = MPI_Wtime();
  MPI_Comm_spawn(self, MPI_ARGV_NULL, count, MPI_INFO_NULL, 0, MPI_COMM_SELF, &children, MPI_ERRCODES_IGNORE);
  int work = 21, result = 0;
  MPI_Send(&work, 1, MPI_INT, 0, 0, children);
  MPI_Recv(&result, 1, MPI_INT, 0, 0, children, MPI_STATUS_IGNORE);
  const double elapsed = MPI_Wtime() - start;
  if (result != 42) {
    fprintf(stderr, "spawn_time: wrong result %d\n", result);
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  MPI_Comm_disconnect(&children);
  return elapsed;
}

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  MPI_Comm parent;
  MPI_Comm_get_parent(&parent);
  if (parent != MPI_COMM_NULL) {
    child(parent);
    return 0;
  }
  const int repeats = argc > 1 ? atoi(argv[1]) : 5;
  int counts[8] = {1, 4, 16}, n = 3;
  if (argc > 2) {
    n = 0;
    for (int i = 2; i < argc && n < 8; ++i) counts[n++] = atoi(argv[i]);
  }
  double* times = malloc(sizeof(double) * (size_t)repeats);
  spawn_once(argv[0], 1); /* warm-up: the first spawn starts the machinery */
  for (int c = 0; c < n; ++c) {
    for (int r = 0; r < repeats; ++r) times[r] = spawn_once(argv[0], counts[c]);
    qsort(times, (size_t)repeats, sizeof(double), compare);
    printf("spawn_ms %d %.3f\n", counts[c], times[repeats / 2] * 1e3);
  }
  const int cycles = 4 * repeats;
  const double start = MPI_Wtime();
  for (int i = 0; i < cycles; ++i) spawn_once(argv[0], 1);
  printf("spawn_cycle 1 %.3f\n", cycles / (MPI_Wtime() - start));
  free(times);
  MPI_Finalize();
  return 0;
}
