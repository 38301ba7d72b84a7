/* What the MPI-IO conformance programs share: a scratch directory for the job, file
   checksums, and the values they write. */
#ifndef FERRY_TEST_MPI_IO_COMMON_H
#define FERRY_TEST_MPI_IO_COMMON_H

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

#endif
