/* MPI_Bcast latency from rank 0; rank 0 prints "bcast SIZE USEC" for 8 B..1 MiB. */
#include "osu.h"

static void bcast(char* send, char* receive, int bytes) {
  (void)receive;
  MPI_Bcast(send, bytes, MPI_CHAR, 0, MPI_COMM_WORLD);
}

int main(int argc, char** argv) { return osu_main(argc, argv, "bcast", bcast, 1); }
