/* Command-line sizes of the MPI applications. */
#ifndef FERRY_APP_ARGUMENTS_H
#define FERRY_APP_ARGUMENTS_H

/* One optional positional size: its name in messages, its largest value, and its value
 * (the default until an argument replaces it). */
typedef struct {
  const char* name;
  long max;
  long value;
} AppCount;

/* Reads argv[1..argc-1] into counts[0..n-1] in order, each an integer in [1, max]; counts
 * without an argument keep their defaults. Returns 0, or -1 after saying why on stderr
 * (as "PROGRAM: ...") when `report` is set: a malformed value or more arguments than
 * counts. */
int app_parse_counts(const char* program, int argc, char** argv, AppCount* counts, int n, int report);

#endif
