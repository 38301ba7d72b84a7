/* A process that presents a wrong job secret at start-up is refused, and the job runs on.
 * Each function rank first starts an impostor: a copy of itself with the same role
 * variables but a wrong FERRY_JOB_SECRET, which says hello to the owner first. The job
 * must complete with the right world; the owner reports the refusal. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void start_impostor(char** argv) {
  const pid_t child = fork();
  if (child != 0) return;
  setenv("FERRY_IMPOSTOR", "1", 1);
  setenv("FERRY_JOB_SECRET", "0000000000000000000000000000000000000000000000000000000000000000", 1);
  alarm(3);  /* it never gets the address table; it must not outlive the test */
  execv("/proc/self/exe", argv);
  _exit(127);
}

int main(int argc, char** argv) {
  (void)argc;
  const char* role = getenv("FERRY_ROLE");
  if (role != NULL && strcmp(role, "function") == 0 && getenv("FERRY_IMPOSTOR") == NULL) {
    start_impostor(argv);
    sleep(1);  /* the impostor's hello arrives first */
  }
  MPI_Init(&argc, &argv);
  int rank = 0, size = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  int sum = 0;
  MPI_Allreduce(&rank, &sum, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
  if (rank == 0) printf("world %d, sum of ranks %d\n", size, sum);
  MPI_Finalize();
  return sum == size * (size - 1) / 2 ? 0 : 1;
}
