#pragma once
// Running one measured command of `ferry compare` and reading the result line it prints.

#include <optional>
#include <string>
#include <vector>

#include "runtime/common/captured_run.hpp"

namespace ferry::cli {

using ferry::CapturedRun;
using ferry::run_captured;

/// The line `result app=NAME ranks=P time=SECONDS check=VALUE` a measured program prints.
struct ResultLine {
  std::string app;
  unsigned ranks = 0;
  double seconds = 0.0;
  std::string check;
};

/// The last result line in `output`; none when there is no line starting with "result ".
/// Throws Error(invalid_argument) when that line lacks a field or has a malformed one.
std::optional<ResultLine> find_result_line(const std::string& output);

/// Whether two check values agree: numbers within a relative 1e-9 (reductions in another
/// order round differently), anything else character for character.
bool checks_agree(const std::string& a, const std::string& b);

/// The last `count` lines of `text`.
std::string tail_lines(const std::string& text, size_t count);

/// `command` as one line, words with spaces or quotes single-quoted.
std::string command_line(const std::vector<std::string>& command);

/// The absolute path of `name` on PATH; none when no executable file has that name.
std::optional<std::string> find_on_path(const std::string& name);

}  // namespace ferry::cli
