#include "app_arguments.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

long app_parse_count(const char* program, const char* text, const char* what, long max, int report) {
  char* end = NULL;
  errno = 0;
  const long value = strtol(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || value < 1 || value > max) {
    if (report) fprintf(stderr, "%s: %s must be an integer in [1, %ld], got '%s'\n", program, what, max, text);
    return -1;
  }
  return value;
}
