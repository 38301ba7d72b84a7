/* Command-line sizes of the MPI applications. */
#ifndef FERRY_APP_ARGUMENTS_H
#define FERRY_APP_ARGUMENTS_H

/* Parses `text` as an integer in [1, max]; returns it, or -1 after saying why on stderr
 * (as "PROGRAM: WHAT must be ...") when `report` is set. */
long app_parse_count(const char* program, const char* text, const char* what, long max, int report);

#endif
