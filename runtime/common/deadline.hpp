#pragma once

#include <chrono>

namespace ferry {

using Clock = std::chrono::steady_clock;

/// A point in time after which a wait gives up; `never()` waits forever.
class Deadline {
 public:
  static Deadline never() { return Deadline(Clock::time_point::max()); }
  static Deadline after(Clock::duration timeout) { return Deadline(Clock::now() + timeout); }

  bool is_never() const { return at_ == Clock::time_point::max(); }
  bool passed() const { return !is_never() && Clock::now() >= at_; }
  /// Milliseconds left, rounded up, for poll()/epoll_wait(); -1 when never.
  int poll_timeout_ms() const;
  Clock::time_point at() const { return at_; }

 private:
  explicit Deadline(Clock::time_point at) : at_(at) {}
  Clock::time_point at_;
};

inline int Deadline::poll_timeout_ms() const {
  if (is_never()) return -1;
  const auto left = at_ - Clock::now();
  if (left <= Clock::duration::zero()) return 0;
  const auto ms = std::chrono::ceil<std::chrono::milliseconds>(left).count();
  return ms > 1'000'000 ? 1'000'000 : static_cast<int>(ms);
}

}  // namespace ferry
