#pragma once
// ferry-workers started ahead of requests: each has made its UCX context and worker (most
// of the ~20 ms a ferry-worker takes from exec to ready) and waits on a socket for the
// executor it becomes. They run as the spawner's user, unpinned and unlimited until
// then; the spawner applies the lease's limits when it hands one over.

#include <cstddef>
#include <map>
#include <optional>
#include <string>

#include "runtime/common/event_loop.hpp"
#include "runtime/common/unique_fd.hpp"
#include "spawner/process/process.hpp"

namespace ferry::spawner {

struct WarmWorker {
  Process process;
  UniqueFd handover;     ///< the spawner's end of the socket the warm start goes over
  UniqueFd status_pipe;  ///< non-blocking read end: "ready <address>", "error <text>", "usage <ns>"
};

class WarmPool {
 public:
  /// Keeps up to `size` workers of `worker_executable` waiting; size 0 keeps none.
  WarmPool(EventLoop& loop, std::string worker_executable, unsigned size);
  WarmPool(const WarmPool&) = delete;
  WarmPool& operator=(const WarmPool&) = delete;
  ~WarmPool();

  /// Starts workers until `size` wait. One that cannot start is logged, not retried until
  /// the next fill().
  void fill();
  /// A waiting worker, no longer watched by the loop; none when the pool is empty.
  std::optional<WarmWorker> take();
  /// Kills and reaps every waiting worker.
  void clear();
  size_t waiting() const noexcept { return waiting_.size(); }

 private:
  void start_one();
  void on_exit(pid_t pid);
  void unwatch(const WarmWorker& worker);

  EventLoop& loop_;
  std::string executable_;
  unsigned size_;
  std::map<pid_t, WarmWorker> waiting_;
};

}  // namespace ferry::spawner
