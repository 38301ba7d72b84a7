#pragma once
// ferry-worker's main thread: reports its UCX worker address to the spawner, checks the
// executor key its one client presents, resolves the functions the client names, and hands
// out the addresses of the invocation threads. The client connects by that address: a
// connection through a listener (sockaddr) costs about 10 ms of handshakes here, one by
// worker address well under 1 ms. The spawner ends the executor when its client leaves.
// A warm worker is started before any request, with its UCX worker up, and takes on its
// executor (library, key, cores) when the spawner hands it over.

#include <atomic>
#include <memory>
#include <optional>
#include <vector>

#include "runtime/common/event_loop.hpp"
#include "runtime/common/unique_fd.hpp"
#include "runtime/wire/control_channel.hpp"
#include "spawner/worker/function_library.hpp"
#include "spawner/worker/invocation_thread.hpp"
#include "spawner/worker/settings.hpp"

namespace ferry::worker {

class FunctionHost {
 public:
  explicit FunctionHost(Settings settings);
  ~FunctionHost();
  /// A warm worker waits for its executor and takes it on; false when the spawner closed
  /// the socket or SIGTERM came first. Throws Error when the executor cannot start.
  bool await_warm_start();
  /// Serves until SIGTERM arrives; reports usage on the status pipe.
  void run();

 private:
  void on_hello(ucp_ep_h from, const wire::ExecutorHello& hello);
  wire::ExecutorWelcome welcome(const wire::ExecutorHello& hello);
  void report(const std::string& line);
  /// Makes invocation threads until there are settings_.threads.
  void make_threads();

  Settings settings_;
  std::optional<FunctionLibrary> library_;
  EventLoop loop_;
  UniqueFd signal_fd_;
  std::shared_ptr<ucx::Context> context_;
  std::shared_ptr<ucx::Worker> worker_;
  std::unique_ptr<wire::ControlChannel> channel_;
  FunctionTable table_;
  std::atomic<const FunctionTable*> published_{nullptr};
  std::vector<std::unique_ptr<InvocationThread>> threads_;
  std::vector<int> cpus_;  ///< the leased cores, one per thread in turn; empty: not pinned
};

}  // namespace ferry::worker
