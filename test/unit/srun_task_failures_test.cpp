#include <catch2/catch.hpp>

#include "runtime/cli/srun_task_failures.hpp"

using ferry::cli::srun_exit_code;
using ferry::cli::SrunTaskFailures;

TEST_CASE("srun's first task failure is the cause, not the tasks the step's end killed", "[unit][srun]") {
  SrunTaskFailures failures;
  failures.read_line("rank 0 ready");
  failures.read_line("srun: launch/slurm: _step_signal: Terminating StepId=1.0");
  CHECK_FALSE(failures.first_failure());
  failures.read_line("srun: error: node1: task 0: Terminated");
  CHECK_FALSE(failures.first_failure());
  failures.read_line("srun: error: node2: task 1: Exited with exit code 3");
  failures.read_line("srun: error: node1: tasks 2-3: Segmentation fault");
  REQUIRE(failures.first_failure() == 3);
}

TEST_CASE("a task's signal counts as 128 + its number, with or without a core", "[unit][srun]") {
  SrunTaskFailures crashed;
  crashed.read_line("srun: error: node2: tasks 0,2: Segmentation fault (core dumped)");
  CHECK(crashed.first_failure() == 139);
  SrunTaskFailures aborted;
  aborted.read_line("srun: error: vm-1.example: task 5: Aborted");
  CHECK(aborted.first_failure() == 134);
  SrunTaskFailures killed;
  killed.read_line("srun: error: node1: task 0: Killed");
  CHECK_FALSE(killed.first_failure());
}

TEST_CASE("lines that only look like srun's are ignored", "[unit][srun]") {
  SrunTaskFailures failures;
  failures.read_line("srun: error: Unable to create step for job 7: Invalid generic resource");
  failures.read_line("srun: error: node1: task 0: Exited with exit code 0");
  failures.read_line("my program: task 1: Exited with exit code 9");
  failures.read_line("srun: error: node1: task 0: Not a signal");
  CHECK_FALSE(failures.first_failure());
}

TEST_CASE("ferry run reports srun's code unless srun failed and named a task's failure", "[unit][srun]") {
  CHECK(srun_exit_code(0, 3) == 0);
  CHECK(srun_exit_code(143, 3) == 3);
  CHECK(srun_exit_code(143, std::nullopt) == 143);
}
