// Example functions to ship to a leased executor with `ferry invoke`.
#include <sched.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstring>

extern "C" {

/// Greets its input from the executor: shows where the function really ran.
int64_t greet(const void* in, size_t in_size, void* out, size_t out_cap) {
  char host[64] = {};
  ::gethostname(host, sizeof host - 1);
  const int written = std::snprintf(static_cast<char*>(out), out_cap, "hello %.*s, from executor pid %d on %s, cpu %d\n",
                                    static_cast<int>(in_size), static_cast<const char*>(in), static_cast<int>(::getpid()),
                                    host, ::sched_getcpu());
  if (written < 0) return -1;
  return written < static_cast<int>(out_cap) ? written : static_cast<int64_t>(out_cap);
}

/// Sums the squares of the doubles in its input; writes one double.
int64_t sum_of_squares(const void* in, size_t in_size, void* out, size_t out_cap) {
  if (out_cap < sizeof(double) || in_size % sizeof(double) != 0) return -1;
  const auto* values = static_cast<const double*>(in);
  double sum = 0.0;
  for (size_t i = 0; i < in_size / sizeof(double); ++i) sum += values[i] * values[i];
  std::memcpy(out, &sum, sizeof sum);
  return sizeof sum;
}
}
