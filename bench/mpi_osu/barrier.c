/* MPI_Barrier latency; rank 0 prints "barrier 0 USEC". */
#include "osu.h"

static void barrier(char* send, char* receive, int bytes) {
  (void)send, (void)receive, (void)bytes;
  MPI_Barrier(MPI_COMM_WORLD);
}

int main(int argc, char** argv) { return osu_main(argc, argv, "barrier", barrier, 0); }
