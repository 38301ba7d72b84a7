#include "spank/options.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ferry_spank_parse_functions(const char* text, long* functions, char* error, size_t error_size) {
  char* end = NULL;
  errno = 0;
  const long value = text != NULL ? strtol(text, &end, 10) : 0;
  if (text == NULL || *text == '\0' || *end != '\0' || errno != 0 || value < 0 || value > FERRY_SPANK_MAX_FUNCTIONS) {
    snprintf(error, error_size, "--ferry-functions='%s' is not a number of function ranks from 0 to %ld",
             text != NULL ? text : "", FERRY_SPANK_MAX_FUNCTIONS);
    return -1;
  }
  *functions = value;
  return 0;
}

int ferry_spank_check_mode(const char* text, char* error, size_t error_size) {
  static const char* const modes[] = {"auto", "hot", "warm", "adaptive"};
  for (size_t i = 0; text != NULL && i < sizeof modes / sizeof modes[0]; ++i) {
    if (strcmp(text, modes[i]) == 0) return 0;
  }
  snprintf(error, error_size, "--ferry-mode='%s' is not one of auto, hot, warm, adaptive", text != NULL ? text : "");
  return -1;
}

int ferry_spank_check_manager(const char* text, char* error, size_t error_size) {
  const char* colon = text != NULL ? strrchr(text, ':') : NULL;
  char* end = NULL;
  const long port = colon != NULL ? strtol(colon + 1, &end, 10) : 0;
  if (colon == NULL || colon == text || colon[1] == '\0' || *end != '\0' || port < 1 || port > 65535 ||
      strchr(text, ',') != NULL) {
    snprintf(error, error_size, "--ferry-manager='%s' is not HOST:PORT", text != NULL ? text : "");
    return -1;
  }
  return 0;
}
