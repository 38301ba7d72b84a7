#include "runtime/common/event_loop.hpp"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <array>
#include <cerrno>

#include "runtime/common/error.hpp"
#include "runtime/common/log.hpp"

namespace ferry {

EventLoop::EventLoop() {
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) throw_system_error("epoll_create1");
  wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_fd_ < 0) {
    ::close(epoll_fd_);
    throw_system_error("eventfd");
  }
  watch(wake_fd_, EPOLLIN, [this](uint32_t) {
    uint64_t count = 0;
    while (::read(wake_fd_, &count, sizeof count) > 0) {
    }
  });
}

EventLoop::~EventLoop() {
  ::close(wake_fd_);
  ::close(epoll_fd_);
}

void EventLoop::watch(int fd, uint32_t events, FdCallback callback) {
  epoll_event event{};
  event.events = events;
  event.data.fd = fd;
  const bool known = watched_.contains(fd);
  if (::epoll_ctl(epoll_fd_, known ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &event) != 0) {
    throw_system_error("epoll_ctl");
  }
  watched_[fd] = std::make_shared<FdCallback>(std::move(callback));
}

void EventLoop::unwatch(int fd) {
  if (watched_.erase(fd) != 0) ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
}

EventLoop::TimerId EventLoop::after(Clock::duration delay, Task task) {
  const TimerId id = next_timer_id_++;
  timers_.emplace(id, Timer{Clock::duration::zero(), std::move(task)});
  schedule_.emplace(Clock::now() + delay, id);
  return id;
}

EventLoop::TimerId EventLoop::every(Clock::duration period, Task task) {
  const TimerId id = next_timer_id_++;
  timers_.emplace(id, Timer{period, std::move(task)});
  schedule_.emplace(Clock::now() + period, id);
  return id;
}

void EventLoop::cancel(TimerId id) { timers_.erase(id); }

void EventLoop::post(Task task) {
  {
    std::lock_guard lock(posted_mutex_);
    posted_.push_back(std::move(task));
  }
  const uint64_t one = 1;
  [[maybe_unused]] const auto written = ::write(wake_fd_, &one, sizeof one);
}

void EventLoop::attach(ucx::Worker& worker, std::function<bool()> drain) {
  worker_ = &worker;
  drain_ = std::move(drain);
  watch(worker.event_fd(), EPOLLIN, [](uint32_t) {});
}

void EventLoop::stop() {
  post([this] { stopping_ = true; });
}

void EventLoop::run() {
  stopping_ = false;
  while (!stopping_) {
    run_posted_tasks();
    // A stop posted a moment ago must not wait out the next timer's sleep.
    if (stopping_) break;
    run_due_timers();
    if (progress_worker()) continue;
    if (has_posted_tasks()) continue;
    wait_for_events(next_timeout_ms());
  }
}

bool EventLoop::has_posted_tasks() {
  std::lock_guard lock(posted_mutex_);
  return !posted_.empty();
}

void EventLoop::run_posted_tasks() {
  std::deque<Task> tasks;
  {
    std::lock_guard lock(posted_mutex_);
    tasks.swap(posted_);
  }
  for (auto& task : tasks) {
    try {
      task();
    } catch (const std::exception& error) {
      spdlog::error("event loop task failed: {}", error.what());
    }
  }
}

void EventLoop::run_due_timers() {
  const auto now = Clock::now();
  while (!schedule_.empty() && schedule_.begin()->first <= now) {
    const TimerId id = schedule_.begin()->second;
    schedule_.erase(schedule_.begin());
    const auto found = timers_.find(id);
    if (found == timers_.end()) continue;
    Task task = found->second.task;
    if (found->second.period == Clock::duration::zero()) {
      timers_.erase(found);
    } else {
      schedule_.emplace(now + found->second.period, id);
    }
    try {
      task();
    } catch (const std::exception& error) {
      spdlog::error("timer task failed: {}", error.what());
    }
  }
}

// Returns true when the worker did something, so the loop turns again before sleeping.
bool EventLoop::progress_worker() {
  if (worker_ == nullptr) return false;
  bool progressed = false;
  while (worker_->progress()) progressed = true;
  if (drain_ && drain_()) progressed = true;
  if (progressed) return true;
  return !worker_->arm();
}

int EventLoop::next_timeout_ms() const {
  for (const auto& [when, id] : schedule_) {
    if (!timers_.contains(id)) continue;
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(when - Clock::now()).count();
    return left <= 0 ? 0 : static_cast<int>(std::min<int64_t>(left, 60'000));
  }
  return -1;
}

void EventLoop::wait_for_events(int timeout_ms) {
  std::array<epoll_event, 32> events{};
  const int count = ::epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()), timeout_ms);
  if (count < 0) {
    if (errno == EINTR) return;
    throw_system_error("epoll_wait");
  }
  for (int i = 0; i < count; ++i) {
    const auto found = watched_.find(events[i].data.fd);
    if (found == watched_.end()) continue;
    const auto callback = found->second;  // keeps it alive if the callback unwatches itself
    try {
      (*callback)(events[i].events);
    } catch (const std::exception& error) {
      spdlog::error("event handler failed: {}", error.what());
    }
  }
}

}  // namespace ferry
