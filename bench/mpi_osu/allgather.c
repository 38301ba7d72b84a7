/* MPI_Allgather latency, SIZE bytes from each rank; rank 0 prints "allgather SIZE USEC". */
#include "osu.h"

static void allgather(char* send, char* receive, int bytes) {
  MPI_Allgather(send, bytes, MPI_CHAR, receive, bytes, MPI_CHAR, MPI_COMM_WORLD);
}

int main(int argc, char** argv) { return osu_main(argc, argv, "allgather", allgather, 1); }
