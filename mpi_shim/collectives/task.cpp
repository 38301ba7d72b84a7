#include "mpi_shim/collectives/task.hpp"

#include <exception>
#include <utility>

#include "mpi_shim/dynamic/process_failures.hpp"
#include "mpi_shim/errors.hpp"
#include "mpi_shim/transport.hpp"

namespace ferry::mpi {

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
