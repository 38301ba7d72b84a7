#include "ports_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpi_check.h"

const char *class_name(int code) {
  int error_class = code;
  MPI_Error_class(code, &error_class);
  switch (error_class) {
    case MPI_SUCCESS: return "MPI_SUCCESS";
    case MPI_ERR_PORT: return "MPI_ERR_PORT";
    case MPI_ERR_NAME: return "MPI_ERR_NAME";
    case MPI_ERR_SERVICE: return "MPI_ERR_SERVICE";
    case MPI_ERR_ARG: return "MPI_ERR_ARG";
    case MPI_ERR_COMM: return "MPI_ERR_COMM";
    default: return "another error class";
  }
}

void write_file(const char *path, const char *text) {
  char temporary[4096];
  snprintf(temporary, sizeof temporary, "%s.partial", path);
  FILE *file = fopen(temporary, "w");
  CHECK(file != NULL, "cannot write %s", temporary);
  fputs(text, file);
  CHECK(fclose(file) == 0, "cannot write %s", temporary);
  CHECK(rename(temporary, path) == 0, "cannot rename %s", temporary);
}

void read_file(const char *path, char text[MPI_MAX_PORT_NAME]) {
  FILE *file = fopen(path, "r");
  CHECK(file != NULL, "cannot read %s", path);
  const size_t length = fread(text, 1, MPI_MAX_PORT_NAME - 1, file);
  text[length] = '\0';
  fclose(file);
}

static int value(int side, int from, int to) { return 100000 * (side + 1) + 100 * from + to; }

void exchange_both_ways(MPI_Comm inter, int side) {
  int rank, remote_size;
  CHECK_MPI(MPI_Comm_rank(inter, &rank));
  CHECK_MPI(MPI_Comm_remote_size(inter, &remote_size));
  MPI_Request *requests = malloc(sizeof(MPI_Request) * (size_t)remote_size);
  int *sent = malloc(sizeof(int) * (size_t)remote_size);
  for (int r = 0; r < remote_size; ++r) {
    sent[r] = value(side, rank, r);
    CHECK_MPI(MPI_Isend(&sent[r], 1, MPI_INT, r, rank, inter, &requests[r]));
  }
  for (int r = 0; r < remote_size; ++r) {
    int got = -1;
    MPI_Status status;
    CHECK_MPI(MPI_Recv(&got, 1, MPI_INT, r, r, inter, &status));
    CHECK_INT(got, value(1 - side, r, rank), "message from the other job");
    CHECK_INT(status.MPI_SOURCE, r, "status.MPI_SOURCE");
  }
  CHECK_MPI(MPI_Waitall(remote_size, requests, MPI_STATUSES_IGNORE));
  free(requests);
  free(sent);
}

int merge_and_reduce(MPI_Comm inter, int high) {
  int rank, size, remote_size, merged_rank, merged_size;
  CHECK_MPI(MPI_Comm_rank(inter, &rank));
  CHECK_MPI(MPI_Comm_size(inter, &size));
  CHECK_MPI(MPI_Comm_remote_size(inter, &remote_size));
  MPI_Comm merged;
  CHECK_MPI(MPI_Intercomm_merge(inter, high, &merged));
  CHECK_MPI(MPI_Comm_rank(merged, &merged_rank));
  CHECK_MPI(MPI_Comm_size(merged, &merged_size));
  CHECK_INT(merged_size, size + remote_size, "merged size");
  CHECK_INT(merged_rank, high ? remote_size + rank : rank, "merged rank");
  int mine = merged_rank + 1, sum = 0;
  CHECK_MPI(MPI_Allreduce(&mine, &sum, 1, MPI_INT, MPI_SUM, merged));
  CHECK_INT(sum, merged_size * (merged_size + 1) / 2, "allreduce on the merged communicator");
  CHECK_MPI(MPI_Comm_free(&merged));
  return sum;
}

void disconnect(MPI_Comm *inter) {
  CHECK_MPI(MPI_Comm_disconnect(inter));
  CHECK(*inter == MPI_COMM_NULL, "MPI_Comm_disconnect left a handle");
}
