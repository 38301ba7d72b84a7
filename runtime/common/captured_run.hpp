#pragma once
// Running a command to its end and keeping what it printed.

#include <string>
#include <vector>

namespace ferry {

/// What a finished command left behind.
struct CapturedRun {
  int exit_code = 1;  ///< the command's exit code, or 128 + signal
  std::string out;
  std::string err;
};

/// Runs `command` (argv[0] looked up on PATH) with stdin from /dev/null and waits for
/// it, capturing stdout and stderr; in `environment` (NAME=value entries) when given,
/// else in this process's. Throws Error(not_found) when it cannot be started.
CapturedRun run_captured(const std::vector<std::string>& command, const std::vector<std::string>* environment = nullptr);

}  // namespace ferry
