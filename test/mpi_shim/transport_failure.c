/* A transport failure (an exception inside the shim) under a blocking MPI_Send:
   with MPI_ERRORS_RETURN the call returns an error code; with the default handler the
   job ends with a message naming the call. Run with FERRY_TEST_FAIL_SENDS_TO=1. */
#include <mpi.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  const int errors_return = argc > 1 && strcmp(argv[1], "return") == 0;
  if (rank == 0) {
    if (errors_return) MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    int value = 42;
    const int code = MPI_Send(&value, 1, MPI_INT, 1, 0, MPI_COMM_WORLD);
    int error_class = MPI_SUCCESS;
    MPI_Error_class(code, &error_class);
    printf("MPI_Send returned %s\n", code == MPI_SUCCESS ? "MPI_SUCCESS" : "an error");
    printf("error class is MPI_ERR_OTHER: %s\n", error_class == MPI_ERR_OTHER ? "yes" : "no");
    fflush(stdout);
    MPI_Abort(MPI_COMM_WORLD, 3);
  }
  MPI_Finalize();
  return 0;
}
