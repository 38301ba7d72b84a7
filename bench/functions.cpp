// Functions the benchmarks ship to executors.
#include <chrono>
#include <cstdint>
#include <cstring>

extern "C" {

/// Returns its input: the round trip of an invocation carrying `in_size` bytes each way.
int64_t echo(const void* in, size_t in_size, void* out, size_t out_cap) {
  if (in_size > out_cap) return -1;
  if (in_size > 0) std::memcpy(out, in, in_size);
  return static_cast<int64_t>(in_size);
}

/// Busy for the microseconds in the input's first 4 bytes: a unit of compute.
int64_t spin_us(const void* in, size_t in_size, void*, size_t) {
  uint32_t us = 0;
  if (in_size >= sizeof us) std::memcpy(&us, in, sizeof us);
  const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(us);
  while (std::chrono::steady_clock::now() < until) {
  }
  return 0;
}
}
