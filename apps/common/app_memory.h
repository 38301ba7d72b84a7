/* Memory of the MPI applications. */
#ifndef FERRY_APP_MEMORY_H
#define FERRY_APP_MEMORY_H

#include <stddef.h>

/* Allocates `bytes` (at least one) and writes to every page of it, so that the first-use
 * page faults happen here rather than inside a timed region (in a VM each costs more than
 * copying the page). Exits with a message when memory runs out. */
void* app_alloc_touched(const char* program, size_t bytes);

#endif
