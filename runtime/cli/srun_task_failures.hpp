#pragma once
// What srun says about its tasks' ends. srun exits with the highest code of all tasks, so
// when one rank fails and --kill-on-bad-exit ends the others with SIGTERM, srun reports
// 143 where mpirun reports the failed rank's own code. `ferry run --launcher srun` reads
// srun's stderr (passing it on unchanged) to report the cause as mpirun would.

#include <atomic>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "runtime/common/unique_fd.hpp"

namespace ferry::cli {

/// The first task end that srun reports as a failure of its own, not as the step being
/// ended: "srun: error: node2: task 1: Exited with exit code 3" gives 3,
/// "srun: error: node1: tasks 0-1: Segmentation fault (core dumped)" gives 139; tasks
/// ended by SIGTERM or SIGKILL are the step's victims and do not count.
class SrunTaskFailures {
 public:
  void read_line(std::string_view line);
  /// The first failure's exit code (N, or 128 + signal), if srun reported one.
  std::optional<int> first_failure() const { return first_; }

 private:
  std::optional<int> first_;
};

/// A pipe for srun's stderr whose reading thread copies everything to this process's
/// stderr and hands each line to a SrunTaskFailures.
class SrunStderrReader {
 public:
  SrunStderrReader();
  SrunStderrReader(const SrunStderrReader&) = delete;
  SrunStderrReader& operator=(const SrunStderrReader&) = delete;
  ~SrunStderrReader();

  /// The pipe's write end, for the launcher's stderr.
  int write_end() const { return write_end_.get(); }
  /// Starts copying; call after the launcher has started with write_end().
  void start();
  /// After the launcher ended: reads what is left (for at most 2 s, in case a descendant
  /// of srun still holds the pipe) and returns srun's first task failure.
  std::optional<int> finish();

 private:
  void copy_lines();

  UniqueFd read_end_;
  UniqueFd write_end_;
  std::atomic<bool> launcher_ended_{false};
  std::thread reader_;
  SrunTaskFailures failures_;
};

/// The exit code `ferry run` reports for srun's `launcher_code`: the first task failure
/// when srun itself failed, else srun's own code.
int srun_exit_code(int launcher_code, std::optional<int> first_failure);

}  // namespace ferry::cli
