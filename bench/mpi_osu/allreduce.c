/* MPI_Allreduce (sum of floats) latency; rank 0 prints "allreduce SIZE USEC" for 8 B..1 MiB. */
#include "osu.h"

static void allreduce(char* send, char* receive, int bytes) {
  MPI_Allreduce(send, receive, bytes / (int)sizeof(float), MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
}

int main(int argc, char** argv) { return osu_main(argc, argv, "allreduce", allreduce, 1); }
