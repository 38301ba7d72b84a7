#pragma once
// What a long-running process holds, read from /proc: the figures that must not grow while
// a daemon serves lease after lease.

#include <sys/types.h>

#include <cstdint>
#include <string>

namespace ferry::soak {

struct ProcessResources {
  uint64_t descriptors = 0;
  uint64_t memfds = 0;   ///< descriptors that are memfds (shipped libraries)
  uint64_t threads = 0;
  uint64_t rss_kib = 0;
  uint64_t children = 0;  ///< processes whose parent it is, zombies included

  ProcessResources& operator+=(const ProcessResources& other);
};

/// Reads /proc/PID; throws std::runtime_error when the process is gone.
ProcessResources sample_process(pid_t pid);
/// Entries directly under `directory` (0 when it does not exist).
uint64_t entries_in(const std::string& directory);

}  // namespace ferry::soak
