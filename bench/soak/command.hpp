#pragma once
// A command the soak runs in the background: its own process group (so that a job that
// hangs dies whole), stdout and stderr into one file, extra environment variables.

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace ferry::soak {

class Command {
 public:
  Command(const std::vector<std::string>& argv, std::string output, const std::vector<std::string>& environment = {});
  Command(const Command&) = delete;
  Command& operator=(const Command&) = delete;
  Command(Command&& other) noexcept;
  Command& operator=(Command&&) = delete;
  /// Kills the whole group of a command still running, and reaps it.
  ~Command();

  pid_t pid() const noexcept { return pid_; }
  /// The wait status once it has ended.
  std::optional<int> poll();
  /// The wait status, or nothing when it was still running after `timeout` and had its
  /// group killed.
  std::optional<int> wait(std::chrono::milliseconds timeout);
  /// Everything it has written so far.
  std::string output() const;

 private:
  pid_t pid_ = -1;
  std::optional<int> status_;
  bool timed_out_ = false;
  std::string output_;
};

/// "exit code N" or "signal N" of a wait status.
std::string describe_wait_status(int status);

}  // namespace ferry::soak
