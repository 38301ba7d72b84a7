#include "app_arguments.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

static int parse_count(const char* program, const char* text, AppCount* count, int report) {
  char* end = NULL;
  errno = 0;
  const long value = strtol(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || value < 1 || value > count->max) {
    if (report)
      fprintf(stderr, "%s: %s must be an integer in [1, %ld], got '%s'\n", program, count->name, count->max, text);
    return -1;
  }
  count->value = value;
  return 0;
}

int app_parse_counts(const char* program, int argc, char** argv, AppCount* counts, int n, int report) {
  if (argc - 1 > n) {
    if (report) fprintf(stderr, "%s: too many arguments (%d; at most %d)\n", program, argc - 1, n);
    return -1;
  }
  for (int i = 1; i < argc; ++i) {
    if (parse_count(program, argv[i], &counts[i - 1], report) != 0) return -1;
  }
  return 0;
}
