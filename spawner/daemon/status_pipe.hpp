#pragma once
// The pipe a ferry-worker reports on ("ready <address>", "error <text>", "usage <ns>"),
// and reading what a child's pipe holds without blocking.

#include <string>

#include "runtime/common/unique_fd.hpp"

namespace ferry::spawner {

/// Where the status pipe's write end is in the worker.
constexpr int worker_status_fd = 3;

struct StatusPipe {
  UniqueFd read;   ///< the spawner's end: non-blocking, close-on-exec
  UniqueFd write;  ///< close-on-exec; the worker gets it at worker_status_fd
};
StatusPipe make_status_pipe();

/// Appends what `fd` holds now to `into`; false at end of file.
bool read_available(int fd, std::string& into);

}  // namespace ferry::spawner
