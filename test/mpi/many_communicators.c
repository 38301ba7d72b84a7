/* Many communicators made and freed: MPI_Comm_split (some ranks MPI_UNDEFINED) and
   MPI_Comm_dup in a long loop, each one used now and then, with a few kept alive across
   the loop so that freed context ids come back while others stay taken.
     many_communicators [ROUNDS]   (default 5000) */
#include "mpi_check.h"

#include <stdlib.h>

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  const int rounds = argc > 1 ? atoi(argv[1]) : 5000;
  const int rank = world_rank(), size = world_size();
  enum { KEPT = 5 };
  MPI_Comm kept[KEPT];
  for (int i = 0; i < KEPT; ++i) kept[i] = MPI_COMM_NULL;
  long long checksum = 0;
  int undefined = 0;
  for (int round = 0; round < rounds; ++round) {
    int color = (rank + round) % 3 == 0 ? MPI_UNDEFINED : (rank + round) % 2;
    MPI_Comm comm;
    CHECK_MPI(MPI_Comm_split(MPI_COMM_WORLD, color, size - rank, &comm));
    if (color == MPI_UNDEFINED) {
      CHECK(comm == MPI_COMM_NULL, "MPI_UNDEFINED must give MPI_COMM_NULL");
      ++undefined;
    } else if (round % 97 == 0) {
      int sum = 0, comm_rank;
      CHECK_MPI(MPI_Comm_rank(comm, &comm_rank));
      CHECK_MPI(MPI_Allreduce(&rank, &sum, 1, MPI_INT, MPI_SUM, comm));
      checksum += sum * 10 + comm_rank;
    }
    if (round % 1000 == 0) {
      /* Keep this one for a while: its context id must stay out of reuse. */
      int slot = (round / 1000) % KEPT;
      if (kept[slot] != MPI_COMM_NULL) CHECK_MPI(MPI_Comm_free(&kept[slot]));
      kept[slot] = comm;
    } else if (comm != MPI_COMM_NULL) {
      CHECK_MPI(MPI_Comm_free(&comm));
    }
    if (round % 10 == 0) {
      MPI_Comm dup;
      CHECK_MPI(MPI_Comm_dup(MPI_COMM_WORLD, &dup));
      int token = round, received = -1;
      CHECK_MPI(MPI_Sendrecv(&token, 1, MPI_INT, (rank + 1) % size, 3, &received, 1, MPI_INT,
                             (rank + size - 1) % size, 3, dup, MPI_STATUS_IGNORE));
      CHECK_INT(received, round, "token on a fresh duplicate");
      CHECK_MPI(MPI_Comm_free(&dup));
    }
  }
  /* The kept communicators still work, and do not see each other's traffic. */
  for (int i = 0; i < KEPT; ++i) {
    if (kept[i] == MPI_COMM_NULL) continue;
    int sum = 0;
    CHECK_MPI(MPI_Allreduce(&rank, &sum, 1, MPI_INT, MPI_SUM, kept[i]));
    checksum += sum;
    CHECK_MPI(MPI_Comm_free(&kept[i]));
  }
  out("rounds %d undefined %d checksum %lld", rounds, undefined, checksum);
  finish("many_communicators");
  return 0;
}
