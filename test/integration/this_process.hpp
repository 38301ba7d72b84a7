#pragma once
// Tools that act on the test process itself: capturing its output streams, pausing its
// thread as a busy machine would, and setting environment variables for a while.

#include <pthread.h>
#include <signal.h>

#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace ferry::test {

/// Redirects one of this process's file descriptors into a pipe while alive.
class Capture {
 public:
  explicit Capture(int fd);
  Capture(const Capture&) = delete;
  Capture& operator=(const Capture&) = delete;
  ~Capture();
  /// Restores the descriptor and returns what was written to it (up to a pipe's capacity).
  std::string finish();

 private:
  void restore();
  int fd_;
  int read_ = -1;
  int saved_ = -1;
};

/// Stops the constructing thread once for `length`, `after` from now, wherever it then is
/// (from a SIGUSR2 handler): a stand-in for being descheduled on a busy machine.
class ThreadPause {
 public:
  ThreadPause(std::chrono::microseconds after, std::chrono::milliseconds length);
  ThreadPause(const ThreadPause&) = delete;
  ThreadPause& operator=(const ThreadPause&) = delete;
  ~ThreadPause();

 private:
  struct sigaction previous_ {};
  std::thread signaller_;
};

/// Sets environment variables while alive (UCX reads its settings from there when a
/// context is created), restoring the previous values after.
class ScopedEnvironment {
 public:
  explicit ScopedEnvironment(const std::vector<std::pair<std::string, std::string>>& values);
  ScopedEnvironment(const ScopedEnvironment&) = delete;
  ScopedEnvironment& operator=(const ScopedEnvironment&) = delete;
  ~ScopedEnvironment();

 private:
  std::vector<std::pair<std::string, std::optional<std::string>>> previous_;
};

}  // namespace ferry::test
