#pragma once
// The daemons' event loop: epoll over file descriptors, timers, posted tasks and, when a
// UCX worker is attached, the worker's event fd. It sleeps whenever there is nothing to
// do, so a daemon costs no CPU on a node whose cores are leased out.

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "runtime/common/deadline.hpp"
#include "runtime/ucx/worker.hpp"

namespace ferry {

class EventLoop {
 public:
  using FdCallback = std::function<void(uint32_t events)>;
  using Task = std::function<void()>;
  using TimerId = uint64_t;

  EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;
  ~EventLoop();

  /// Calls `callback` from the loop whenever `fd` has any of `events` (EPOLLIN, ...).
  void watch(int fd, uint32_t events, FdCallback callback);
  void unwatch(int fd);
  /// Runs `task` once after `delay`; returns an id for cancel().
  TimerId after(Clock::duration delay, Task task);
  /// Runs `task` every `period` until cancelled.
  TimerId every(Clock::duration period, Task task);
  void cancel(TimerId id);
  /// Runs `task` on the loop's thread at its next turn. Safe from any thread.
  void post(Task task);
  /// Progresses `worker` before each sleep and wakes on its events; `drain` runs after
  /// each progress (to hand over what UCX callbacks queued) and says if it did anything.
  void attach(ucx::Worker& worker, std::function<bool()> drain = {});

  /// Runs until stop() is called.
  void run();
  /// Makes run() return. Safe from any thread and from signal-free contexts.
  void stop();

 private:
  struct Timer {
    Clock::duration period;  // zero for one-shot timers
    Task task;
  };
  void run_due_timers();
  void run_posted_tasks();
  bool has_posted_tasks();
  bool progress_worker();
  int next_timeout_ms() const;
  void wait_for_events(int timeout_ms);

  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  bool stopping_ = false;
  ucx::Worker* worker_ = nullptr;
  std::function<bool()> drain_;
  std::unordered_map<int, std::shared_ptr<FdCallback>> watched_;
  std::multimap<Clock::time_point, TimerId> schedule_;
  std::unordered_map<TimerId, Timer> timers_;
  TimerId next_timer_id_ = 1;
  std::mutex posted_mutex_;
  std::deque<Task> posted_;
};

}  // namespace ferry
