// Functions shipped to executors by the tests and benchmarks.
#include <sched.h>
#include <unistd.h>

#include <csignal>
#include <cstdint>
#include <cstring>

extern "C" {

/// Returns nothing: the round-trip cost of an invocation.
int64_t noop(const void*, size_t, void*, size_t) { return 0; }

/// Copies the input to the output.
int64_t echo(const void* in, size_t in_size, void* out, size_t out_cap) {
  if (in_size > out_cap) return -1;
  if (in_size > 0) std::memcpy(out, in, in_size);
  return static_cast<int64_t>(in_size);
}

/// Writes each input byte plus one, so a test sees the function really ran.
int64_t increment_bytes(const void* in, size_t in_size, void* out, size_t out_cap) {
  if (in_size > out_cap) return -1;
  const auto* src = static_cast<const uint8_t*>(in);
  auto* dst = static_cast<uint8_t*>(out);
  for (size_t i = 0; i < in_size; ++i) dst[i] = static_cast<uint8_t>(src[i] + 1);
  return static_cast<int64_t>(in_size);
}

/// Writes `n` bytes of 0x5a where `n` is the input's first 8 bytes: output larger than input.
int64_t expand(const void* in, size_t in_size, void* out, size_t out_cap) {
  uint64_t n = 0;
  if (in_size < sizeof n) return -2;
  std::memcpy(&n, in, sizeof n);
  if (n > out_cap) return -1;
  std::memset(out, 0x5a, n);
  return static_cast<int64_t>(n);
}

/// Sleeps for the milliseconds in its input's first 4 bytes: long-running work.
int64_t sleep_ms(const void* in, size_t in_size, void*, size_t) {
  uint32_t ms = 0;
  if (in_size >= sizeof ms) std::memcpy(&ms, in, sizeof ms);
  ::usleep(ms * 1000U);
  return 0;
}

/// Always fails with -5.
int64_t fail(const void*, size_t, void*, size_t) { return -5; }

/// Crashes the executor.
int64_t crash(const void*, size_t, void*, size_t) {
  std::raise(SIGSEGV);
  return 0;
}

/// Claims to have written more than it may.
int64_t overflow(const void*, size_t, void*, size_t out_cap) { return static_cast<int64_t>(out_cap) + 1; }

/// Writes the CPU it runs on (4 bytes).
int64_t which_cpu(const void*, size_t, void* out, size_t out_cap) {
  if (out_cap < 4) return -1;
  const int32_t cpu = sched_getcpu();
  std::memcpy(out, &cpu, sizeof cpu);
  return 4;
}
}
