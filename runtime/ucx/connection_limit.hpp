#pragma once
// How many connections a daemon's workers can hold. UCX refuses a connection once a
// worker watches ASYNC_MAX_EVENTS descriptors (1024 by default), so a client that opens
// that many idle TCP connections to a listener would lock everyone else out.

#include <cstdint>

namespace ferry::ucx {

/// Raises this process's descriptor limit to its hard limit and lets workers created from
/// now on watch as many descriptors (at most `cap`), unless UCX_ASYNC_MAX_EVENTS is set.
/// Returns the number of descriptors a worker may watch.
uint64_t allow_many_connections(uint64_t cap = 65536);

}  // namespace ferry::ucx
