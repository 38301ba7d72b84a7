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
