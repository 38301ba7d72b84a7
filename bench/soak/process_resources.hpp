#pragma once
// What a long-running process holds, read from /proc: the figures that must not grow while
// a daemon serves lease after lease.

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace ferry::soak {

struct ProcessResources {
  uint64_t descriptors = 0;
  uint64_t memfds = 0;   ///< descriptors that are memfds (shipped libraries)
  uint64_t threads = 0;
  uint64_t rss_kib = 0;
  uint64_t children = 0;  ///< processes whose parent it is, zombies included, but for:
  uint64_t waiting_workers = 0;  ///< ferry-workers a spawner keeps warm for the next executor

  ProcessResources& operator+=(const ProcessResources& other);
};

/// Reads /proc/PID; throws std::runtime_error when the process is gone.
ProcessResources sample_process(pid_t pid);
/// A process found by an argument of its command line.
struct TaggedProcess {
  pid_t pid = -1;
  pid_t parent = -1;
  std::string command;  ///< /proc/PID/comm
  bool function_rank = false;  ///< FERRY_ROLE=function in its environment
  int world_rank = -1;  ///< OMPI_COMM_WORLD_RANK, or FERRY_RANK of a function rank
};

/// The live (not zombie) processes with `tag` as one of their arguments.
std::vector<TaggedProcess> processes_tagged(const std::string& tag);

/// Entries directly under `directory` (0 when it does not exist).
uint64_t entries_in(const std::string& directory);

}  // namespace ferry::soak
