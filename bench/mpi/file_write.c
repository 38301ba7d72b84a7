/* Collective write bandwidth of a 256 MiB file: every rank writes its contiguous share with
 * MPI_File_write_at_all in 16 MiB calls, from open to close (no sync: the file system's
 * cache, not the disk, is what the shim's path is measured against). The best of five
 * runs; rank 0 prints "file_write 268435456 MBPS". The file goes in $TMPDIR (or /tmp). */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { CHUNK = 16 << 20, RUNS = 5 };
static const long long file_bytes = 256LL << 20;

static double write_once(const char *path, const char *chunk, int rank, int size) {
  const long long share = file_bytes / size;
  MPI_File file;
  MPI_Barrier(MPI_COMM_WORLD);
  const double start = MPI_Wtime();
  MPI_File_open(MPI_COMM_WORLD, path, MPI_MODE_CREATE | MPI_MODE_WRONLY, MPI_INFO_NULL, &file);
  for (long long done = 0; done < share; done += CHUNK) {
    const int bytes = (int)(share - done < CHUNK ? share - done : CHUNK);
    MPI_File_write_at_all(file, rank * share + done, chunk, bytes, MPI_BYTE, MPI_STATUS_IGNORE);
  }
  MPI_File_close(&file);
  MPI_Barrier(MPI_COMM_WORLD);
  const double seconds = MPI_Wtime() - start;
  if (rank == 0) MPI_File_delete(path, MPI_INFO_NULL);
  return seconds;
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  char path[4096] = "";
  if (rank == 0) {
    const char *base = getenv("TMPDIR");
    snprintf(path, sizeof path, "%s/ferry-bench-file-write-%d", base && *base ? base : "/tmp", (int)getpid());
  }
  MPI_Bcast(path, sizeof path, MPI_CHAR, 0, MPI_COMM_WORLD);
  char *chunk = malloc(CHUNK);
  memset(chunk, rank + 1, CHUNK);
  double best = 1e30;
  for (int run = 0; run < RUNS; ++run) {
    const double seconds = write_once(path, chunk, rank, size);
    if (seconds < best) best = seconds;
  }
  if (rank == 0) printf("file_write %lld %.1f\n", file_bytes, file_bytes / best / 1e6);
  free(chunk);
  MPI_Finalize();
  return 0;
}
