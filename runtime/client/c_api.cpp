// The C API: each call runs its C++ counterpart and turns exceptions into statuses.
#include <string>

#include "runtime/client/client.hpp"
#include "runtime/client/ferry.h"

struct ferry_client {
  std::unique_ptr<ferry::Client> client;
};
struct ferry_lease {
  ferry::Lease lease;
};
struct ferry_executor {
  ferry::Executor executor;
};
struct ferry_future {
  ferry::Future future;
};

namespace {
thread_local std::string last_error;

template <class Call>
ferry_status guarded(Call&& call) noexcept {
  try {
    call();
    return FERRY_OK;
  } catch (const ferry::Error& error) {
    last_error = error.what();
    return static_cast<ferry_status>(error.code());
  } catch (const std::exception& error) {
    last_error = error.what();
    return FERRY_ERR_UNKNOWN;
  }
}

ferry::WaitMode to_mode(ferry_wait_mode mode) {
  switch (mode) {
    case FERRY_HOT: return ferry::WaitMode::hot;
    case FERRY_WARM: return ferry::WaitMode::warm;
    case FERRY_ADAPTIVE: return ferry::WaitMode::adaptive;
    case FERRY_AUTO: return ferry::WaitMode::automatic;
  }
  throw ferry::Error(ferry::Errc::invalid_argument, "unknown waiting mode");
}

void require(bool condition, const char* what) {
  if (!condition) throw ferry::Error(ferry::Errc::invalid_argument, what);
}
}  // namespace

extern "C" {

ferry_status ferry_client_create(const char* manager, ferry_wait_mode mode, ferry_client** client) {
  return guarded([&] {
    require(client != nullptr, "ferry_client_create: client is NULL");
    ferry::ClientOptions options;
    if (manager != nullptr) options.manager = manager;
    options.mode = to_mode(mode);
    *client = new ferry_client{ferry::Client::create(options)};
  });
}

void ferry_client_destroy(ferry_client* client) { delete client; }

ferry_status ferry_lease_create(ferry_client* client, uint32_t cores, uint32_t memory_mib, uint32_t duration_ms,
                                ferry_lease** lease) {
  return guarded([&] {
    require(client != nullptr && lease != nullptr, "ferry_lease_create: NULL argument");
    *lease = new ferry_lease{client->client->lease({cores, memory_mib, std::chrono::milliseconds(duration_ms)})};
  });
}

void ferry_lease_release(ferry_lease* lease) { delete lease; }

ferry_status ferry_executor_create(ferry_client* client, ferry_lease* lease, const char* library,
                                   const char* const* functions, size_t function_count, ferry_wait_mode mode,
                                   ferry_executor** executor) {
  return guarded([&] {
    require(client != nullptr && lease != nullptr && library != nullptr && executor != nullptr &&
                (functions != nullptr || function_count == 0),
            "ferry_executor_create: NULL argument");
    ferry::ExecutorSpec spec;
    spec.library = library;
    spec.functions.assign(functions, functions + function_count);
    spec.mode = to_mode(mode);
    *executor = new ferry_executor{client->client->allocate(lease->lease, spec)};
  });
}

void ferry_executor_destroy(ferry_executor* executor) { delete executor; }

ferry_status ferry_invoke(ferry_executor* executor, uint32_t index, const void* in, size_t in_size, void* out,
                          size_t out_capacity, int64_t* written) {
  return guarded([&] {
    require(executor != nullptr && written != nullptr, "ferry_invoke: NULL argument");
    *written = executor->executor.invoke(index, {static_cast<const std::byte*>(in), in_size},
                                         {static_cast<std::byte*>(out), out_capacity});
  });
}

ferry_status ferry_invoke_async(ferry_executor* executor, uint32_t index, const void* in, size_t in_size, void* out,
                                size_t out_capacity, ferry_future** future) {
  return guarded([&] {
    require(executor != nullptr && future != nullptr, "ferry_invoke_async: NULL argument");
    *future = new ferry_future{executor->executor.invoke_async(index, {static_cast<const std::byte*>(in), in_size},
                                                               {static_cast<std::byte*>(out), out_capacity})};
  });
}

ferry_status ferry_future_wait(ferry_future* future, int64_t* written) {
  const ferry_status status = guarded([&] {
    require(future != nullptr && written != nullptr, "ferry_future_wait: NULL argument");
    *written = future->future.get();
  });
  delete future;
  return status;
}

const char* ferry_last_error(void) { return last_error.c_str(); }
}
