#pragma once

#include <ucp/api/ucp.h>

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/common/event_loop.hpp"
#include "runtime/common/unique_fd.hpp"
#include "runtime/wire/messages.hpp"
#include "spawner/process/line_splitter.hpp"
#include "spawner/process/process.hpp"

namespace ferry::spawner {

/// One process a spawner runs under a lease, and what it forwards for it.
struct Executor {
  uint64_t id = 0;
  uint64_t lease_id = 0;
  uint64_t request_id = 0;
  ucp_ep_h owner = nullptr;
  wire::SpawnKind kind = wire::SpawnKind::program;
  Process process;
  std::vector<int> cpus;
  uint32_t memory_mib = 0;
  LineSplitter stdout_lines;
  LineSplitter stderr_lines;
  UniqueFd status_pipe;       ///< worker only: "ready <port>", "error <text>", "usage <ns>"
  std::string status_text;
  std::vector<std::byte> key;  ///< worker only: what the client presents in ExecutorHello
  bool replied = false;
  std::string end_reason;
  EventLoop::TimerId kill_timer = 0;
  uint64_t hot_poll_ns = 0;
};

}  // namespace ferry::spawner
