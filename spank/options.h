#ifndef FERRY_SPANK_OPTIONS_H
#define FERRY_SPANK_OPTIONS_H
/* The values of srun's --ferry-* options, checked as the shim will read them. Each check
 * returns 0, or -1 with a sentence naming the option and the bad value in `error`. */

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The most function ranks a job may ask for (the shim's own limit, 2^19). */
#define FERRY_SPANK_MAX_FUNCTIONS 524288L

int ferry_spank_parse_functions(const char* text, long* functions, char* error, size_t error_size);
int ferry_spank_check_mode(const char* text, char* error, size_t error_size);
int ferry_spank_check_manager(const char* text, char* error, size_t error_size);

#ifdef __cplusplus
}
#endif

#endif
