/* The C API from C: single-machine default, sync and async invocations, a failing
 * function and a bad argument. Exits non-zero on the first wrong result. */
#include <stdio.h>
#include <string.h>

#include "runtime/client/ferry.h"

#define CHECK(condition)                                                        \
  do {                                                                          \
    if (!(condition)) {                                                         \
      fprintf(stderr, "%s:%d: %s failed (%s)\n", __FILE__, __LINE__, #condition, \
              ferry_last_error());                                              \
      return 1;                                                                 \
    }                                                                           \
  } while (0)

int main(int argc, char** argv) {
  CHECK(argc == 2);
  ferry_client* client = NULL;
  CHECK(ferry_client_create(NULL, FERRY_WARM, &client) == FERRY_OK);
  ferry_lease* lease = NULL;
  CHECK(ferry_lease_create(client, 1, 256, 60000, &lease) == FERRY_OK);
  const char* functions[] = {"increment_bytes", "fail"};
  ferry_executor* executor = NULL;
  CHECK(ferry_executor_create(client, lease, argv[1], functions, 2, FERRY_WARM, &executor) == FERRY_OK);

  const char input[] = "HAL";
  char output[16] = {0};
  int64_t written = 0;
  CHECK(ferry_invoke(executor, 0, input, 3, output, sizeof output, &written) == FERRY_OK);
  CHECK(written == 3 && memcmp(output, "IBM", 3) == 0);

  ferry_future* future = NULL;
  CHECK(ferry_invoke_async(executor, 0, "abc", 3, output, sizeof output, &future) == FERRY_OK);
  CHECK(ferry_future_wait(future, &written) == FERRY_OK && memcmp(output, "bcd", 3) == 0);

  CHECK(ferry_invoke(executor, 1, NULL, 0, output, sizeof output, &written) == FERRY_ERR_FUNCTION_FAILED);
  CHECK(strstr(ferry_last_error(), "fail") != NULL);
  CHECK(ferry_invoke(NULL, 0, NULL, 0, NULL, 0, &written) == FERRY_ERR_INVALID_ARGUMENT);

  ferry_executor_destroy(executor);
  ferry_lease_release(lease);
  ferry_client_destroy(client);
  puts("C API: all checks passed");
  return 0;
}
