/* Result recording and self-checking shared by the MPI conformance programs. */
#ifndef FERRY_TEST_MPI_CHECK_H
#define FERRY_TEST_MPI_CHECK_H

#include <mpi.h>

/* Records one result line of the calling rank; out_flush prints it later. */
void out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Collective on MPI_COMM_WORLD: rank 0 prints every rank's recorded lines, in rank order,
   each prefixed with the rank that recorded it, and the records are cleared. */
void out_flush(void);

/* Prints "FAIL file:line: message" and aborts the whole job with exit code 1. */
void fail_at(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4), noreturn));

/* Flushes the records, prints "done <name>" from rank 0 and finalizes MPI. */
void finish(const char *name);

/* Rank and size of MPI_COMM_WORLD. */
int world_rank(void);
int world_size(void);

#define CHECK(cond, ...)                                                                    \
  do {                                                                                      \
    if (!(cond)) fail_at(__FILE__, __LINE__, __VA_ARGS__);                                  \
  } while (0)

#define CHECK_INT(actual, expected, what)                                                   \
  do {                                                                                      \
    long long actual_ = (long long)(actual);                                                \
    long long expected_ = (long long)(expected);                                            \
    if (actual_ != expected_)                                                               \
      fail_at(__FILE__, __LINE__, "%s: got %lld, expected %lld", (what), actual_, expected_); \
  } while (0)

#define CHECK_MPI(call)                                                                     \
  do {                                                                                      \
    int rc_ = (call);                                                                       \
    if (rc_ != MPI_SUCCESS) fail_at(__FILE__, __LINE__, "%s returned %d", #call, rc_);      \
  } while (0)

#endif
