#define _GNU_SOURCE
#include "io_common.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mpi_check.h"

void io_make_directory(char *path, size_t capacity) {
  char made[512] = "";
  if (world_rank() == 0) {
    const char *base = getenv("TMPDIR");
    snprintf(made, sizeof made, "%s/ferry-io-XXXXXX", base && *base ? base : "/tmp");
    CHECK(mkdtemp(made) != NULL, "mkdtemp %s failed", made);
  }
  CHECK_MPI(MPI_Bcast(made, sizeof made, MPI_CHAR, 0, MPI_COMM_WORLD));
  CHECK(strlen(made) < capacity, "directory name too long");
  strcpy(path, made);
}

void io_remove_directory(const char *path) {
  CHECK_MPI(MPI_Barrier(MPI_COMM_WORLD));
  if (world_rank() != 0) return;
  struct dirent **entries = NULL;
  const int count = scandir(path, &entries, NULL, alphasort);
  CHECK(count >= 0, "scandir %s failed", path);
  for (int i = 0; i < count; ++i) {
    const char *name = entries[i]->d_name;
    if (strcmp(name, ".") != 0 && strcmp(name, "..") != 0) {
      out("left in the directory: %s", name);
      char file[1024];
      io_path(file, sizeof file, path, name);
      unlink(file);
    }
    free(entries[i]);
  }
  free(entries);
  CHECK(rmdir(path) == 0, "rmdir %s failed", path);
}

void io_path(char *path, size_t capacity, const char *directory, const char *name) {
  CHECK((size_t)snprintf(path, capacity, "%s/%s", directory, name) < capacity, "path too long");
}

uint64_t io_fnv1a(const void *data, size_t size) {
  const unsigned char *bytes = data;
  uint64_t hash = 14695981039346656037ULL;
  for (size_t i = 0; i < size; ++i) {
    hash ^= bytes[i];
    hash *= 1099511628211ULL;
  }
  return hash;
}

void io_record_file(const char *label, const char *path) {
  if (world_rank() != 0) return;
  int fd = open(path, O_RDONLY);
  CHECK(fd >= 0, "%s: cannot open %s", label, path);
  uint64_t hash = 14695981039346656037ULL;
  long long size = 0;
  unsigned char chunk[65536];
  for (ssize_t got; (got = read(fd, chunk, sizeof chunk)) != 0;) {
    CHECK(got > 0, "%s: read failed", label);
    for (ssize_t i = 0; i < got; ++i) {
      hash ^= chunk[i];
      hash *= 1099511628211ULL;
    }
    size += got;
  }
  close(fd);
  out("%s: %lld bytes, fnv1a %016llx", label, size, (unsigned long long)hash);
}

int io_value(int rank, int salt, int i) { return rank * 1000003 + salt * 7919 + i; }

int *io_values(int owner, int salt, int count) {
  int *buf = malloc(sizeof(int) * (size_t)(count > 0 ? count : 1));
  CHECK(buf != NULL, "out of memory");
  for (int i = 0; i < count; ++i) buf[i] = io_value(owner, salt, i);
  return buf;
}

void io_check_values(const int *buf, int owner, int salt, int count, const char *what) {
  for (int i = 0; i < count; ++i)
    if (buf[i] != io_value(owner, salt, i))
      fail_at(__FILE__, __LINE__, "%s: element %d is %d, expected %d", what, i, buf[i],
              io_value(owner, salt, i));
  out("%s: %d ints from rank %d, fnv1a %016llx", what, count, owner,
      (unsigned long long)io_fnv1a(buf, sizeof(int) * (size_t)count));
}

void io_check_count(const MPI_Status *status, int expected) {
  int count = -1;
  CHECK_MPI(MPI_Get_count(status, MPI_INT, &count));
  CHECK_INT(count, expected, "MPI_Get_count of a file access");
}

MPI_File io_open(const char *directory, const char *name, int amode) {
  char path[1024];
  io_path(path, sizeof path, directory, name);
  MPI_File file = MPI_FILE_NULL;
  CHECK_MPI(MPI_File_open(MPI_COMM_WORLD, path, amode, MPI_INFO_NULL, &file));
  CHECK(file != MPI_FILE_NULL, "MPI_File_open gave MPI_FILE_NULL");
  return file;
}

void io_record(const char *directory, const char *label, const char *name) {
  char path[1024];
  io_path(path, sizeof path, directory, name);
  io_record_file(label, path);
  out_flush();
}
