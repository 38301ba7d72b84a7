#pragma once

#include <string>
#include <vector>

#include "runtime/ucx/waiter.hpp"

namespace ferry::worker {

/// What the spawner tells ferry-worker on its command line and environment.
struct Settings {
  int library_fd = -1;   ///< memfd holding the shipped library; -1 for a warm worker
  int warm_fd = -1;      ///< a warm worker's socket to the spawner, where its executor arrives
  int status_fd = -1;    ///< pipe to the spawner: "ready <worker address, hex>", "error <text>", "usage <ns>"
  unsigned threads = 1;  ///< one invocation thread per leased core
  ucx::WaitMode mode = ucx::WaitMode::hot;
  std::vector<std::byte> key;  ///< from FERRY_EXECUTOR_KEY or the warm start; a client must present it
};

/// Parses the command line; throws Error(invalid_argument) with the reason.
Settings parse_command_line(int argc, char** argv);

}  // namespace ferry::worker
