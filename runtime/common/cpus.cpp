#include "runtime/common/cpus.hpp"

#include <sched.h>

#include <cerrno>
#include <charconv>
#include <filesystem>
#include <string>

#include "runtime/common/error.hpp"

namespace ferry {

std::vector<int> allowed_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  std::vector<int> cpus;
  if (::sched_getaffinity(0, sizeof set, &set) != 0) return cpus;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (CPU_ISSET(cpu, &set)) cpus.push_back(cpu);
  }
  return cpus;
}

void pin_every_thread(const std::vector<int>& cpus) {
  cpu_set_t set;
  CPU_ZERO(&set);
  for (const int cpu : cpus) CPU_SET(cpu, &set);
  std::error_code error;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task", error)) {
    const std::string name = task.path().filename();
    pid_t tid = 0;
    if (std::from_chars(name.data(), name.data() + name.size(), tid).ec != std::errc()) continue;
    if (::sched_setaffinity(tid, sizeof set, &set) != 0 && errno != ESRCH) throw_system_error("sched_setaffinity");
  }
  if (error) throw Error(Errc::system, "cannot list /proc/self/task: " + error.message());
}

}  // namespace ferry
