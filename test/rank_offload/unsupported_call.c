/* A call the shim does not support on a communicator with function ranks fails with an
 * MPI error whose string names it (under MPI_ERRORS_RETURN), and the job goes on.
 * Exits 0 when that holds on every rank. */
#include <mpi.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int failures = 0;
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);

  /* One of the few calls still refused: MPI_Grequest_complete of a request on a
     communicator with function ranks (which is no generalized request). */
  int value = 0;
  MPI_Request receive = MPI_REQUEST_NULL;
  MPI_Irecv(&value, 1, MPI_INT, MPI_ANY_SOURCE, 99, MPI_COMM_WORLD, &receive);
  const int hybrid = MPI_Grequest_complete(receive);
  MPI_Cancel(&receive);
  MPI_Wait(&receive, MPI_STATUS_IGNORE);
  char text[MPI_MAX_ERROR_STRING] = {0};
  int length = 0;
  MPI_Error_string(hybrid, text, &length);
  if (hybrid == MPI_SUCCESS ||
      strstr(text, "MPI_Grequest_complete is not supported on communicators with function ranks") == NULL) {
    printf("FAIL: MPI_Grequest_complete of a request on MPI_COMM_WORLD returned %d: %s\n", hybrid, text);
    ++failures;
  }

  /* An intracommunicator has no remote group. */
  int size = 0;
  if (MPI_Comm_remote_size(MPI_COMM_WORLD, &size) == MPI_SUCCESS) {
    printf("FAIL: MPI_Comm_remote_size on MPI_COMM_WORLD succeeded\n");
    ++failures;
  }
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  int total = 0;
  MPI_Allreduce(&failures, &total, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
  if (rank == 0) printf("%s: %s\n", total == 0 ? "ok" : "FAIL", text);
  MPI_Finalize();
  return total == 0 ? 0 : 1;
}
