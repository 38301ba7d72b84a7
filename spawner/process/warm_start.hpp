#pragma once
// What a spawner hands a warm ferry-worker (started ahead of any request, its UCX worker
// already up) when an executor starts on it: the executor's key, threads, waiting mode,
// cores and directory, with the function library's descriptor attached (SCM_RIGHTS).
// One record per executor, on a SOCK_SEQPACKET socket pair.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "runtime/common/unique_fd.hpp"
#include "runtime/ucx/waiter.hpp"

namespace ferry::spawner {

struct WarmStart {
  std::vector<std::byte> key;  ///< what the executor's client presents in ExecutorHello
  unsigned threads = 1;
  ucx::WaitMode mode = ucx::WaitMode::hot;
  std::vector<int> cpus;          ///< the leased cores; the worker pins every thread to them
  std::string working_directory;  ///< the lease's directory
};

/// The record as text, one "name value" line per field.
std::string encode_warm_start(const WarmStart& start);
/// Parses encode_warm_start()'s text; throws Error(protocol) naming what is wrong.
WarmStart decode_warm_start(const std::string& text);

/// Sends `start` with `library_fd` attached; throws Error(system) when the worker's end
/// is gone.
void send_warm_start(int socket, const WarmStart& start, int library_fd);

struct ReceivedWarmStart {
  WarmStart start;
  UniqueFd library;
};
/// Blocks for the record; nullopt when the spawner closed its end. Throws Error(protocol)
/// for a malformed record or one without a descriptor.
std::optional<ReceivedWarmStart> receive_warm_start(int socket);

}  // namespace ferry::spawner
