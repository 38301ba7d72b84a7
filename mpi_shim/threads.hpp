#pragma once
// MPI_THREAD_MULTIPLE on hybrid communicators. One lock serializes the shim's state and
// its UCX worker: every entry point that may touch them holds it, and a thread that waits
// for the network lets it go between turns, so that the other threads go on (a receive
// waiting in one thread is matched by a send from another). When the program asked for
// less than MPI_THREAD_MULTIPLE, nothing is locked.

#include <mutex>

namespace ferry::mpi {

namespace detail {
extern constinit bool threads_share_shim __attribute__((visibility("hidden")));
extern constinit thread_local bool holds_shim_lock __attribute__((tls_model("initial-exec")));
extern std::mutex shim_mutex __attribute__((visibility("hidden")));

inline void lock_shim() noexcept {
  shim_mutex.lock();
  holds_shim_lock = true;
}
inline void unlock_shim() noexcept {
  holds_shim_lock = false;
  shim_mutex.unlock();
}
}  // namespace detail

/// From now on, threads share the shim (MPI_Init_thread granted MPI_THREAD_MULTIPLE).
void share_shim_between_threads() noexcept;

inline bool shim_shared_between_threads() noexcept { return detail::threads_share_shim; }

/// True when the calling thread holds the lock and must let it go while it waits.
inline bool must_share_while_waiting() noexcept { return detail::holds_shim_lock; }

/// Held by an entry point for the duration of the call (no-op unless threads share the
/// shim, or when the thread holds the lock already: the shim calling its own entry points).
class ShimLock {
 public:
  ShimLock() noexcept {
    if (detail::threads_share_shim && !detail::holds_shim_lock) {
      detail::lock_shim();
      taken_ = true;
    }
  }
  ~ShimLock() {
    if (taken_) detail::unlock_shim();
  }
  ShimLock(const ShimLock&) = delete;
  ShimLock& operator=(const ShimLock&) = delete;

  /// Lets go early: the call turned out to be Open MPI's alone (which may block).
  void release() noexcept {
    if (taken_) {
      detail::unlock_shim();
      taken_ = false;
    }
  }

 private:
  bool taken_ = false;
};

/// Lets the lock go for a scope of a thread that holds it (a turn of a wait).
class ShimUnlock {
 public:
  ShimUnlock() noexcept : held_(detail::holds_shim_lock) {
    if (held_) detail::unlock_shim();
  }
  ~ShimUnlock() {
    if (held_) detail::lock_shim();
  }
  ShimUnlock(const ShimUnlock&) = delete;
  ShimUnlock& operator=(const ShimUnlock&) = delete;

 private:
  bool held_;
};

}  // namespace ferry::mpi
