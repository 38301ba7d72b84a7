/* What the MPI-IO conformance programs share: a scratch directory for the job, file
   checksums, and the values they write. */
#ifndef FERRY_TEST_MPI_IO_COMMON_H
#define FERRY_TEST_MPI_IO_COMMON_H

#include <mpi.h>
#include <stddef.h>
#include <stdint.h>

/* Collective on MPI_COMM_WORLD: rank 0 creates a fresh directory under the system's
   temporary directory, every rank gets its name. */
void io_make_directory(char *path, size_t capacity);
/* Collective on MPI_COMM_WORLD: rank 0 records the name of every file left in the
   directory (hidden ones too: no side file may outlive its file), then removes them and
   the directory. */
void io_remove_directory(const char *path);

/* `directory`/`name` in `path`. */
void io_path(char *path, size_t capacity, const char *directory, const char *name);

/* FNV-1a 64 of `size` bytes. */
uint64_t io_fnv1a(const void *data, size_t size);

/* Rank 0 records "<label>: <size> bytes, fnv1a <hash>" of the whole file as the file
   system has it (read with POSIX calls, not MPI); the others record nothing. Not
   collective. */
void io_record_file(const char *label, const char *path);

/* The value of element `i` written by `rank` in the phase `salt`. */
int io_value(int rank, int salt, int i);

/* `count` values of `owner` in phase `salt` (malloc'ed), and the check of a buffer that
   should hold them, which records their checksum. */
int *io_values(int owner, int salt, int count);
void io_check_values(const int *buf, int owner, int salt, int count, const char *what);
/* Checks that a file access moved `expected` MPI_INTs. */
void io_check_count(const MPI_Status *status, int expected);

/* Opens `directory`/`name` on MPI_COMM_WORLD, failing the test on error. */
MPI_File io_open(const char *directory, const char *name, int amode);
/* io_record_file of `directory`/`name`, then out_flush() (collective). */
void io_record(const char *directory, const char *label, const char *name);

#endif
