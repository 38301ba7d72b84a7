/* A tiny MPI program in the form `ferry compare` measures: it sums a series across the
 * ranks and prints `result app=... ranks=... time=... check=...` from rank 0.
 * Modes: agree (the check is the same for every rank count), by_ranks (the check
 * includes the rank count) and fail (rank 0 exits with code 3). */
#include <mpi.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[1] : "agree";
  if (strcmp(mode, "agree") != 0 && strcmp(mode, "by_ranks") != 0 && strcmp(mode, "fail") != 0) {
    fprintf(stderr, "result_program: unknown mode '%s' (agree, by_ranks or fail)\n", mode);
    return 2;
  }
  MPI_Init(&argc, &argv);
  int rank = 0, size = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  if (strcmp(mode, "fail") == 0) {
    if (rank == 0) fprintf(stderr, "result_program: failing on purpose\n");
    MPI_Finalize();
    return rank == 0 ? 3 : 0;
  }
  const double start = MPI_Wtime();
  long partial = 0, total = 0;
  for (long i = rank; i < 4000000; i += size) partial += i % 7;
  MPI_Allreduce(&partial, &total, 1, MPI_LONG, MPI_SUM, MPI_COMM_WORLD);
  const double elapsed = MPI_Wtime() - start;
  double slowest = 0.0;
  MPI_Reduce(&elapsed, &slowest, 1, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
  const long check = strcmp(mode, "by_ranks") == 0 ? total + size : total;
  if (rank == 0) printf("result app=result_program ranks=%d time=%.6f check=%ld\n", size, slowest, check);
  MPI_Finalize();
  return 0;
}
