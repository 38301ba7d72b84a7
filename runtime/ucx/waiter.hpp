#pragma once
// The one waiting mechanism every Ferry process uses when it waits for the network.
//   hot      busy-polls ucp_worker_progress;
//   warm     arms the worker and sleeps on its event fd;
//   adaptive polls for a budget learned from its recent waits (spin_budget.hpp) after the
//            last event, then sleeps like warm.
// A polling wait yields the CPU every 64 idle turns on a core of its own and at every idle
// turn on cores known to be shared.
// Which mode a process uses by default is wait_policy.hpp's decision.

#include <sched.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "runtime/common/deadline.hpp"
#include "runtime/ucx/spin_budget.hpp"
#include "runtime/ucx/worker.hpp"

namespace ferry::ucx {

/// `automatic` ("auto") is not a way of waiting but a request for the default: a Waiter
/// made with it asks wait_policy.hpp, from what this process sees of its cores.
enum class WaitMode { hot, warm, adaptive, automatic };

/// What a wait lets other threads have while it is idle: nothing (the default), or, for a
/// worker that threads share under a lock, the lock (`release()` returns a scope that
/// gives it up and takes it back). A sharing wait gives the lock up at every idle turn and
/// sleeps for at most a millisecond, since another thread may take the event it armed for.
struct KeepAll {
  struct Scope {};
  static constexpr bool shares = false;
  Scope release() const noexcept { return {}; }
};

/// Parses "hot", "warm", "adaptive" or "auto"; throws Error(invalid_argument) otherwise.
WaitMode parse_wait_mode(std::string_view text);
std::string_view wait_mode_name(WaitMode mode) noexcept;

/// Drives a worker's progress until a condition holds, in one of the three modes.
/// A `secondary` worker (control traffic beside a data worker) is progressed too: at
/// every turn when sleeping is allowed, and it wakes sleepers; when hot, only every
/// 16384th turn, counted across waits (about a millisecond of spinning), because its
/// progress may cost a system call (TCP's epoll_wait) and a hot wait is often one turn.
class Waiter {
 public:
  /// WaitMode::automatic is settled here; `shared_cores` is then what was observed.
  Waiter(Worker& worker, WaitMode mode, Worker* secondary = nullptr, bool shared_cores = false);

  /// Changes how later waits wait (the default mode is settled once the process knows
  /// who shares its cores); WaitMode::automatic, unsettled, waits adaptively.
  void set_mode(WaitMode mode, bool shared_cores) noexcept {
    mode_ = mode == WaitMode::automatic ? WaitMode::adaptive : mode;
    budget_.set_shared_cores(shared_cores);
  }

  /// Progresses until `done()` is true (returns true) or `deadline` passes (returns false).
  template <class Done, class Others = KeepAll>
  bool wait_until(Done&& done, Deadline deadline = Deadline::never(), const Others& others = {});

  /// Counts the nanoseconds spent busy-polling (hot and the spinning part of adaptive),
  /// for a process billed for them. Off by default: a hot wait that does not count them
  /// reads no clock, which matters when waits last a few hundred nanoseconds.
  void count_busy_polling() noexcept { counts_busy_polling_ = true; }
  /// Nanoseconds spent busy-polling so far, when counted.
  uint64_t busy_poll_ns() const noexcept { return busy_poll_ns_; }
  WaitMode mode() const noexcept { return mode_; }
  bool shared_cores() const noexcept { return budget_.shared_cores(); }
  const SpinBudget& spin_budget() const noexcept { return budget_; }
  Worker& worker() const noexcept { return worker_; }

 private:
  /// Arms the workers; false when events are pending (progress first).
  bool arm();
  /// Sleeps on the armed workers' event fds until one fires or `timeout_ms` passes.
  void sleep_on_events(int timeout_ms);

  bool progress();
  /// A hot wait: it reads the clock only for a deadline.
  template <class Done, class Others>
  bool spin_until(Done& done, Deadline deadline, const Others& others);
  void add_busy_polling(Clock::duration spun) noexcept {
    busy_poll_ns_ += static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(spun).count());
  }

  /// An idle turn of a spinning wait gives the CPU up every 64 turns: with more busy
  /// processes than cores a spinner holds the core its peer needs in order to answer, and
  /// on a dedicated core a yield with nothing else to run returns at once. On cores known
  /// to be shared, a wait gives it up at every idle turn.
  template <class Others>
  void share_core(uint32_t round, const Others& others) const noexcept {
    if (Others::shares) {
      [[maybe_unused]] auto released = others.release();
      sched_yield();
    } else if ((round & 63U) == 63U || budget_.shared_cores()) {
      sched_yield();
    }
  }

  Worker& worker_;
  Worker* secondary_;
  WaitMode mode_;
  SpinBudget budget_;
  uint64_t busy_poll_ns_ = 0;
  bool counts_busy_polling_ = false;
  uint32_t hot_turns_ = 0;  ///< turns of hot waits, for progressing the secondary worker
};

inline bool Waiter::progress() {
  bool progressed = worker_.progress();
  if (secondary_ != nullptr && (mode_ != WaitMode::hot || (++hot_turns_ & 16383U) == 0)) {
    progressed = secondary_->progress() || progressed;
  }
  return progressed;
}

template <class Done, class Others>
bool Waiter::spin_until(Done& done, Deadline deadline, const Others& others) {
  for (uint32_t round = 0;; ++round) {
    const bool progressed = progress();
    if (done()) return true;
    if (!progressed) share_core(round, others);
    if ((round & 255U) == 0 && deadline.passed()) return false;
  }
}

template <class Done, class Others>
bool Waiter::wait_until(Done&& done, Deadline deadline, const Others& others) {
  if (done()) return true;
  if (mode_ == WaitMode::hot) {
    if (!counts_busy_polling_) return spin_until(done, deadline, others);
    const auto started = Clock::now();
    const bool finished = spin_until(done, deadline, others);
    add_busy_polling(Clock::now() - started);
    return finished;
  }
  const auto started = Clock::now();
  auto last_event = started;
  Clock::duration slept{};
  auto finish = [&](Clock::time_point now, bool finished) {
    if (mode_ == WaitMode::warm) return finished;
    if (counts_busy_polling_) add_busy_polling(now - started - slept);
    if (finished && mode_ == WaitMode::adaptive) budget_.record(now - started, slept);
    return finished;
  };
  for (uint32_t round = 0;; ++round) {
    const bool progressed = progress();
    if (done()) return finish(Clock::now(), true);
    const auto now = Clock::now();
    if (deadline.passed()) return finish(now, false);
    if (progressed) {
      last_event = now;
      continue;
    }
    if (mode_ == WaitMode::adaptive && now - last_event < budget_.budget()) {
      share_core(round, others);
      continue;
    }
    if (arm()) {
      const int timeout_ms = deadline.poll_timeout_ms();
      [[maybe_unused]] auto released = others.release();
      sleep_on_events(Others::shares && (timeout_ms < 0 || timeout_ms > 1) ? 1 : timeout_ms);
      last_event = Clock::now();
      slept += last_event - now;
    } else {
      if (Others::shares) share_core(round, others);
      last_event = Clock::now();
    }
  }
}

}  // namespace ferry::ucx
