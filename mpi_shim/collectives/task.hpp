#pragma once
// A collective written as a C++20 coroutine. It co_awaits transfers (all_of) and other
// tasks; whoever owns it makes transport progress and then calls step(), so one
// implementation serves the blocking call (run) and the nonblocking request.

#include <mpi.h>

#include <coroutine>
#include <cstddef>
#include <span>
#include <string>

#include "mpi_shim/transfer.hpp"

namespace ferry::mpi {

struct Comm;

/// What a suspended task waits for; ready() is polled by Task::step().
class Awaited {
 public:
  virtual bool ready() = 0;

 protected:
  ~Awaited() = default;
};

/// A running collective; move-only. Starts eagerly and runs up to its first wait.
class Task {
 public:
  struct promise_type {
    Awaited* awaited = nullptr;
    int result = MPI_SUCCESS;
    std::string detail;

    Task get_return_object() noexcept { return Task(Handle::from_promise(*this)); }
    std::suspend_never initial_suspend() noexcept { return {}; }
    std::suspend_always final_suspend() noexcept { return {}; }
    void return_value(int code) noexcept { result = code; }
    void unhandled_exception() noexcept;
    /// Frames come from a small per-thread cache of finished ones (task.cpp).
    static void* operator new(std::size_t bytes);
    static void operator delete(void* frame, std::size_t bytes) noexcept;
  };
  using Handle = std::coroutine_handle<promise_type>;

  Task(Task&& other) noexcept : handle_(other.handle_) { other.handle_ = {}; }
  Task& operator=(Task&& other) noexcept;
  Task(const Task&) = delete;
  Task& operator=(const Task&) = delete;
  ~Task();

  /// Resumes the coroutine while what it awaits has completed; true once it has finished.
  /// Makes no transport progress itself.
  bool step();
  bool done() const noexcept { return !handle_ || handle_.done(); }
  /// The MPI error code the coroutine returned (valid once done).
  int result() const noexcept;
  /// What went wrong, when the coroutine ended with an exception.
  std::string detail() const;

  /// Lets a coroutine co_await another task; the result is the inner task's error code.
  auto operator co_await() noexcept;

 private:
  explicit Task(Handle handle) noexcept : handle_(handle) {}
  Handle handle_;
};

/// Awaitable over transfers: ready when every active one has completed; co_await yields
/// MPI_SUCCESS or the error of the first one that failed.
class AllOf final : public Awaited {
 public:
  explicit AllOf(std::span<Transfer> transfers) noexcept : transfers_(transfers) {}
  bool ready() override;
  bool await_ready() { return ready(); }
  void await_suspend(Task::Handle waiter) noexcept { waiter.promise().awaited = this; }
  int await_resume() const noexcept;

 private:
  std::span<Transfer> transfers_;
};

inline AllOf all_of(std::span<Transfer> transfers) noexcept { return AllOf(transfers); }
inline AllOf all_of(Transfer& transfer) noexcept { return AllOf(std::span<Transfer>(&transfer, 1)); }

/// Awaitable over a nested task.
class Nested final : public Awaited {
 public:
  explicit Nested(Task& task) noexcept : task_(task) {}
  bool ready() override { return task_.step(); }
  bool await_ready() { return ready(); }
  void await_suspend(Task::Handle waiter) noexcept { waiter.promise().awaited = this; }
  int await_resume() const noexcept { return task_.result(); }

 private:
  Task& task_;
};

inline auto Task::operator co_await() noexcept { return Nested(*this); }

/// The MPI error code of a finished transfer.
int transfer_error(const Transfer& transfer) noexcept;

/// Drives `task` to completion with the transport (blocking collectives); returns its code.
int run(Task& task);
/// The same on `comm`, which gives up with the failure's code once a process the
/// communicator reaches has failed (see dynamic/process_failures.hpp).
int run(Task& task, const Comm& comm);

}  // namespace ferry::mpi
