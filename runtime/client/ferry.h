/* Ferry's C API: function offload from C (and from Fortran through ISO_C_BINDING).
 * The same calls as the C++ API in client.hpp. Every function returns FERRY_OK or an
 * error status; ferry_last_error() then describes the failure (per thread). */
#ifndef FERRY_FERRY_H
#define FERRY_FERRY_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  FERRY_OK = 0,
  FERRY_ERR_INVALID_ARGUMENT = 1,
  FERRY_ERR_PROTOCOL = 2,
  FERRY_ERR_UNAUTHORIZED = 3,
  FERRY_ERR_EXPIRED = 4,
  FERRY_ERR_NO_RESOURCES = 5,
  FERRY_ERR_UNREACHABLE = 6,
  FERRY_ERR_TIMEOUT = 7,
  FERRY_ERR_EXECUTOR_DEAD = 8,
  FERRY_ERR_FUNCTION_FAILED = 9,
  FERRY_ERR_NOT_FOUND = 10,
  FERRY_ERR_SYSTEM = 11,
  FERRY_ERR_TRANSPORT = 12,
  FERRY_ERR_UNKNOWN = 99
} ferry_status;

/* FERRY_AUTO: chosen from how many busy processes share the cores (hot on cores of one's own). */
typedef enum { FERRY_HOT = 0, FERRY_WARM = 1, FERRY_ADAPTIVE = 2, FERRY_AUTO = 3 } ferry_wait_mode;

typedef struct ferry_client ferry_client;
typedef struct ferry_lease ferry_lease;
typedef struct ferry_executor ferry_executor;
typedef struct ferry_future ferry_future;

/** Connects to the manager at "host:port", or with NULL starts the single-machine default. */
ferry_status ferry_client_create(const char* manager, ferry_wait_mode mode, ferry_client** client);
void ferry_client_destroy(ferry_client* client);

/** Leases `cores` cores and `memory_mib` MiB (0: a fair share of the spawner's memory) for `duration_ms`. */
ferry_status ferry_lease_create(ferry_client* client, uint32_t cores, uint32_t memory_mib, uint32_t duration_ms,
                                ferry_lease** lease);
/** Releases the lease (destroy its executors first). */
void ferry_lease_release(ferry_lease* lease);

/** Starts an executor under `lease` serving `functions` (indices 0..count-1) from `library`. */
ferry_status ferry_executor_create(ferry_client* client, ferry_lease* lease, const char* library,
                                   const char* const* functions, size_t function_count, ferry_wait_mode mode,
                                   ferry_executor** executor);
void ferry_executor_destroy(ferry_executor* executor);

/** Invokes function `index`; `written` receives the bytes the function wrote to `out`. */
ferry_status ferry_invoke(ferry_executor* executor, uint32_t index, const void* in, size_t in_size, void* out,
                          size_t out_capacity, int64_t* written);
/** Starts an invocation; the buffers must stay valid until ferry_future_wait returns. */
ferry_status ferry_invoke_async(ferry_executor* executor, uint32_t index, const void* in, size_t in_size, void* out,
                                size_t out_capacity, ferry_future** future);
/** Waits for an invocation and frees the future. */
ferry_status ferry_future_wait(ferry_future* future, int64_t* written);

/** What went wrong in this thread's last failed call. */
const char* ferry_last_error(void);

#ifdef __cplusplus
}
#endif

#endif
