#include "mpi_shim/collectives/task.hpp"

#include <array>
#include <exception>
#include <utility>

#include "mpi_shim/dynamic/process_failures.hpp"
#include "mpi_shim/errors.hpp"
#include "mpi_shim/transport.hpp"

namespace ferry::mpi {

namespace {

/// The frames of finished collectives, kept for the next ones on this thread: a coroutine's
/// frame has the same size at every call, and a small blocking collective would otherwise
/// pay an allocation and a free for each of its coroutines.
class FrameCache {
 public:
  FrameCache() = default;
  FrameCache(const FrameCache&) = delete;
  FrameCache& operator=(const FrameCache&) = delete;
  ~FrameCache() {
    closed_ = true;
    for (Slot& slot : slots_) ::operator delete(std::exchange(slot.frame, nullptr));
  }

  void* take(size_t bytes) noexcept {
    for (Slot& slot : slots_) {
      if (slot.frame != nullptr && slot.bytes == bytes) return std::exchange(slot.frame, nullptr);
    }
    return nullptr;
  }
  /// False when the cache is full or gone (a frame freed as the thread exits).
  bool keep(void* frame, size_t bytes) noexcept {
    if (closed_ || bytes > largest_kept) return false;
    for (Slot& slot : slots_) {
      if (slot.frame == nullptr) {
        slot = {bytes, frame};
        return true;
      }
    }
    return false;
  }

 private:
  static constexpr size_t largest_kept = 4096;
  struct Slot {
    size_t bytes = 0;
    void* frame = nullptr;
  };
  std::array<Slot, 8> slots_{};
  bool closed_ = false;
};

thread_local FrameCache frame_cache;

}  // namespace

void* Task::promise_type::operator new(std::size_t bytes) {
  if (void* frame = frame_cache.take(bytes)) return frame;
  return ::operator new(bytes);
}

void Task::promise_type::operator delete(void* frame, std::size_t bytes) noexcept {
  if (!frame_cache.keep(frame, bytes)) ::operator delete(frame);
}

void Task::promise_type::unhandled_exception() noexcept {
  result = MPI_ERR_INTERN;
  try {
    throw;
  } catch (const std::exception& error) {
    detail = error.what();
  } catch (...) {
    detail = "unknown exception in a collective";
  }
}

Task& Task::operator=(Task&& other) noexcept {
  if (this != &other) {
    if (handle_) handle_.destroy();
    handle_ = std::exchange(other.handle_, {});
  }
  return *this;
}

Task::~Task() {
  if (handle_) handle_.destroy();
}

bool Task::step() {
  while (!done()) {
    Awaited* awaited = handle_.promise().awaited;
    if (awaited == nullptr || !awaited->ready()) return false;
    handle_.promise().awaited = nullptr;
    handle_.resume();
  }
  return true;
}

int Task::result() const noexcept { return handle_ ? handle_.promise().result : MPI_ERR_INTERN; }

std::string Task::detail() const { return handle_ ? handle_.promise().detail : std::string(); }

bool AllOf::ready() {
  bool all = true;
  for (Transfer& transfer : transfers_) {
    if (transfer.active() && !transfer.test()) all = false;
  }
  return all;
}

int AllOf::await_resume() const noexcept {
  for (const Transfer& transfer : transfers_) {
    if (int code = transfer_error(transfer); code != MPI_SUCCESS) return code;
  }
  return MPI_SUCCESS;
}

int transfer_error(const Transfer& transfer) noexcept {
  if (!transfer.active()) return MPI_SUCCESS;
  return error_class_of(transfer.status());
}

int run(Task& task) {
  if (!task.step()) transport().wait_until([&task] { return task.step(); });
  return task.result();
}

int run(Task& task, const Comm& comm) {
  if (task.step()) return task.result();
  const int failure = wait_unless_failed(comm, [&task] { return task.step(); });
  return failure != MPI_SUCCESS ? failure : task.result();
}

}  // namespace ferry::mpi
