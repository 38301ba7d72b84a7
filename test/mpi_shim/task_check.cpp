// Checks of the collective task machinery without a network: tasks wait on flags that the
// check sets, standing in for transfers that complete.

#include <cstdio>
#include <stdexcept>
#include <utility>

#include "mpi_shim/collectives/task.hpp"

namespace {

using ferry::mpi::Awaited;
using ferry::mpi::Task;

int failures = 0;

void expect(bool condition, const char* what) {
  if (!condition) {
    std::fprintf(stderr, "FAILED: %s\n", what);
    ++failures;
  }
}

class Flag final : public Awaited {
 public:
  bool ready() override { return set_; }
  bool await_ready() { return set_; }
  void await_suspend(Task::Handle waiter) noexcept { waiter.promise().awaited = this; }
  void await_resume() const noexcept {}
  void set() noexcept { set_ = true; }

 private:
  bool set_ = false;
};

Task immediate(int code) { co_return code; }

Task wait_for(Flag& flag, int code) {
  co_await flag;
  co_return code;
}

Task two_stages(Flag& first, Flag& second, int* stage) {
  Task inner = wait_for(first, MPI_SUCCESS);
  if (int code = co_await inner; code != MPI_SUCCESS) co_return code;
  *stage = 1;
  Task failing = wait_for(second, MPI_ERR_TRUNCATE);
  co_return co_await failing;
}

Task await_idle_transfers() {
  ferry::mpi::Transfer idle[2];
  co_return co_await ferry::mpi::all_of(idle);
}

Task throwing(Flag& flag) {
  co_await flag;
  throw std::runtime_error("peer went away");
}

void check_immediate() {
  Task task = immediate(MPI_ERR_ROOT);
  expect(task.done(), "a task without waits finishes when created");
  expect(task.step(), "step() on a finished task is true");
  expect(task.result() == MPI_ERR_ROOT, "the returned code is the result");
}

void check_waiting() {
  Flag flag;
  Task task = wait_for(flag, MPI_SUCCESS);
  expect(!task.step(), "step() is false while the awaited flag is clear");
  expect(!task.step(), "step() stays false without progress");
  flag.set();
  expect(task.step(), "step() finishes once the flag is set");
  expect(task.result() == MPI_SUCCESS, "result after waiting");
}

void check_nested() {
  Flag first, second;
  int stage = 0;
  Task task = two_stages(first, second, &stage);
  expect(!task.step() && stage == 0, "outer task waits for its inner task");
  first.set();
  expect(!task.step() && stage == 1, "outer task moves on to its second inner task");
  second.set();
  expect(task.step(), "outer task finishes with its last inner task");
  expect(task.result() == MPI_ERR_TRUNCATE, "an inner task's error reaches the outer task");
}

void check_exception() {
  Flag flag;
  Task task = throwing(flag);
  flag.set();
  expect(task.step(), "a throwing task finishes");
  expect(task.result() == MPI_ERR_INTERN, "an exception becomes MPI_ERR_INTERN");
  expect(task.detail() == "peer went away", "the exception's message is kept");
}

void check_idle_transfers() {
  Task task = await_idle_transfers();
  expect(task.done() && task.result() == MPI_SUCCESS, "transfers never started count as complete");
}

void check_move() {
  Flag flag;
  Task original = wait_for(flag, MPI_ERR_COUNT);
  Task moved = std::move(original);
  expect(original.done(), "a moved-from task counts as done");
  expect(!moved.step(), "the moved-to task still waits");
  flag.set();
  expect(moved.step() && moved.result() == MPI_ERR_COUNT, "the moved-to task finishes");
  Flag never;
  Task unfinished = wait_for(never, MPI_SUCCESS);
  unfinished = immediate(MPI_ERR_OP);
  expect(unfinished.result() == MPI_ERR_OP, "assigning over a suspended task destroys it and replaces it");
}

}  // namespace

int main() {
  check_immediate();
  check_waiting();
  check_nested();
  check_exception();
  check_idle_transfers();
  check_move();
  if (failures == 0) std::puts("task checks passed");
  return failures == 0 ? 0 : 1;
}
