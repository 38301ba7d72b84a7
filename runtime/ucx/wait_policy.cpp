#include "runtime/ucx/wait_policy.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <string>
#include <thread>

#include "runtime/common/cpus.hpp"

namespace ferry::ucx {

namespace {

/// The kernel's current count of runnable tasks, or -1 when /proc/stat cannot be read.
int procs_running() {
  std::ifstream in("/proc/stat");
  std::string key;
  long value = 0;
  while (in >> key) {
    if (key == "procs_running" && in >> value) return int(value);
    in.ignore(1 << 16, '\n');
  }
  return -1;
}

}  // namespace

WaitChoice choose_wait(WaitMode requested, const CoreShare& share) noexcept {
  const bool shared = share.busy > double(std::max(share.cores, 1U));
  if (requested != WaitMode::automatic) return {requested, shared};
  return {shared ? WaitMode::adaptive : WaitMode::hot, shared};
}

double runnable_processes_on(const std::vector<int>& cpus) {
  constexpr size_t samples = 5;
  std::array<int, samples> counts{};
  for (size_t i = 0; i < samples; ++i) {
    if (i > 0) std::this_thread::sleep_for(std::chrono::microseconds(200));
    counts[i] = procs_running();
  }
  std::sort(counts.begin(), counts.end());
  const int running = counts[samples / 2];
  const long online = ::sysconf(_SC_NPROCESSORS_ONLN);
  if (running < 0 || online <= 0 || cpus.empty()) return 1;
  return double(running) * double(std::min<long>(long(cpus.size()), online)) / double(online);
}

CoreShare observe_core_share(double known_busy) {
  const std::vector<int> cpus = allowed_cpus();
  const auto online = ::sysconf(_SC_NPROCESSORS_ONLN);
  CoreShare share;
  share.cores = cpus.empty() ? unsigned(std::max(online, 1L)) : unsigned(cpus.size());
  share.busy = std::max({known_busy, runnable_processes_on(cpus), 1.0});
  return share;
}

}  // namespace ferry::ucx
