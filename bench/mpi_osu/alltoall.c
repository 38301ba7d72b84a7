/* MPI_Alltoall latency, SIZE bytes to each peer; rank 0 prints "alltoall SIZE USEC". */
#include "osu.h"

static void alltoall(char* send, char* receive, int bytes) {
  MPI_Alltoall(send, bytes, MPI_CHAR, receive, bytes, MPI_CHAR, MPI_COMM_WORLD);
}

int main(int argc, char** argv) { return osu_main(argc, argv, "alltoall", alltoall, 1); }
