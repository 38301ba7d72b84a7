#include "mpi_check.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *records;
static int records_len;
static int records_cap;

int world_rank(void) {
  int rank;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  return rank;
}

int world_size(void) {
  int size;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  return size;
}

static void reserve(int extra) {
  if (records_len + extra + 1 <= records_cap) return;
  int cap = records_cap ? records_cap : 4096;
  while (cap < records_len + extra + 1) cap *= 2;
  char *grown = realloc(records, (size_t)cap);
  if (!grown) {
    fprintf(stderr, "FAIL out of memory recording results\n");
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  records = grown;
  records_cap = cap;
}

void out(const char *fmt, ...) {
  va_list args;
  va_start(args, fmt);
  int needed = vsnprintf(NULL, 0, fmt, args);
  va_end(args);
  reserve(needed + 1);
  va_start(args, fmt);
  vsnprintf(records + records_len, (size_t)needed + 1, fmt, args);
  va_end(args);
  records_len += needed;
  records[records_len++] = '\n';
  records[records_len] = '\0';
}

static void print_prefixed(int rank, const char *text, int len) {
  const char *end = text + len;
  while (text < end) {
    const char *eol = memchr(text, '\n', (size_t)(end - text));
    if (!eol) eol = end;
    printf("[%d] %.*s\n", rank, (int)(eol - text), text);
    text = eol + 1;
  }
}

void out_flush(void) {
  int rank = world_rank();
  int size = world_size();
  int *lens = NULL;
  int *displs = NULL;
  char *all = NULL;
  if (rank == 0) {
    lens = calloc((size_t)size, sizeof *lens);
    displs = calloc((size_t)size, sizeof *displs);
  }
  CHECK_MPI(MPI_Gather(&records_len, 1, MPI_INT, lens, 1, MPI_INT, 0, MPI_COMM_WORLD));
  int total = 0;
  if (rank == 0) {
    for (int r = 0; r < size; ++r) {
      displs[r] = total;
      total += lens[r];
    }
    all = malloc((size_t)total + 1);
  }
  CHECK_MPI(MPI_Gatherv(records, records_len, MPI_CHAR, all, lens, displs, MPI_CHAR, 0,
                        MPI_COMM_WORLD));
  if (rank == 0) {
    for (int r = 0; r < size; ++r) print_prefixed(r, all + displs[r], lens[r]);
    fflush(stdout);
  }
  free(lens);
  free(displs);
  free(all);
  records_len = 0;
}

void fail_at(const char *file, int line, const char *fmt, ...) {
  const char *base = strrchr(file, '/');
  char message[512];
  va_list args;
  va_start(args, fmt);
  vsnprintf(message, sizeof message, fmt, args);
  va_end(args);
  printf("FAIL %s:%d: rank %d: %s\n", base ? base + 1 : file, line, world_rank(), message);
  fflush(stdout);
  MPI_Abort(MPI_COMM_WORLD, 1);
  exit(1);
}

void finish(const char *name) {
  out_flush();
  if (world_rank() == 0) {
    printf("done %s\n", name);
    fflush(stdout);
  }
  MPI_Finalize();
}
