#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace ferry::spawner {

/// Cuts a byte stream (a child's stdout or stderr) into whole lines, so that output
/// forwarded from many processes never interleaves in the middle of a line.
class LineSplitter {
 public:
  /// A partial line longer than this is forwarded without waiting for its end.
  static constexpr std::size_t default_max_line = 64 * 1024;

  explicit LineSplitter(std::size_t max_line = default_max_line) : max_line_(max_line) {}

  /// Takes the next bytes and returns what is ready to forward: each whole line (ending
  /// in '\n'), then the unfinished line if it has grown beyond the maximum.
  std::vector<std::string> feed(std::string_view bytes);
  /// At end of file: returns the unfinished last line (possibly empty).
  std::string flush();
  /// Bytes held back, waiting for the end of their line.
  std::size_t pending() const noexcept { return pending_.size(); }

 private:
  std::size_t max_line_;
  std::string pending_;
};

}  // namespace ferry::spawner
