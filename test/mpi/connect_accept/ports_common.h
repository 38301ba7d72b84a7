/* What the connect/accept test programs share: error class names, port files, and the
   checks on an intercommunicator between two jobs. */
#ifndef FERRY_TEST_PORTS_COMMON_H
#define FERRY_TEST_PORTS_COMMON_H

#include <mpi.h>

/* "MPI_ERR_PORT", "MPI_ERR_NAME", ... for the class of `code`. */
const char *class_name(int code);

/* Writes `text` to `path` whole (a temporary file, then a rename). */
void write_file(const char *path, const char *text);
/* Reads `path` into `text` (at most MPI_MAX_PORT_NAME characters). */
void read_file(const char *path, char text[MPI_MAX_PORT_NAME]);

/* Every local rank sends to every remote rank and receives from each, checking what
   arrives; `side` tells the two groups' values apart. */
void exchange_both_ways(MPI_Comm inter, int side);
/* MPI_Intercomm_merge with the `high` group second, a check of the ranks and an
   MPI_Allreduce on the merged communicator; returns the allreduce's sum of rank + 1. */
int merge_and_reduce(MPI_Comm inter, int high);
/* MPI_Comm_disconnect, checking that the handle is MPI_COMM_NULL after. */
void disconnect(MPI_Comm *inter);

#endif
