#include "app_memory.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

void* app_alloc_touched(const char* program, size_t bytes) {
  if (bytes == 0) bytes = 1;
  char* memory = malloc(bytes);
  if (memory == NULL) {
    fprintf(stderr, "%s: out of memory allocating %zu bytes\n", program, bytes);
    exit(3);
  }
  const size_t page = (size_t)sysconf(_SC_PAGESIZE);
  volatile char* writer = memory;
  for (size_t offset = 0; offset < bytes; offset += page) writer[offset] = 0;
  writer[bytes - 1] = 0;
  return memory;
}
