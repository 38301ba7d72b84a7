/* Argument parsing shared by the fault programs: argv[1] names the rank that fails. */
#ifndef FERRY_TEST_MPI_FAULT_TARGET_H
#define FERRY_TEST_MPI_FAULT_TARGET_H

#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

/* Returns the failing rank given in argv[1]; a missing or out-of-range value ends the
   program with exit code 2 and a message, before any rank has failed on purpose. */
static inline int fault_target(int argc, char **argv, int size) {
  char *end = NULL;
  long target = argc > 1 ? strtol(argv[1], &end, 10) : -1;
  if (argc != 2 || end == argv[1] || *end != '\0' || target < 0 || target >= size) {
    fprintf(stderr, "usage: %s RANK (0 <= RANK < %d)\n", argv[0], size);
    MPI_Finalize();
    exit(2);
  }
  return (int)target;
}

#endif
