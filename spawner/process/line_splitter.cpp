#include "spawner/process/line_splitter.hpp"

#include <utility>

namespace ferry::spawner {

std::vector<std::string> LineSplitter::feed(std::string_view bytes) {
  pending_.append(bytes);
  std::vector<std::string> lines;
  std::size_t begin = 0;
  for (std::size_t newline = pending_.find('\n'); newline != std::string::npos;
       newline = pending_.find('\n', begin)) {
    lines.push_back(pending_.substr(begin, newline + 1 - begin));
    begin = newline + 1;
  }
  pending_.erase(0, begin);
  if (pending_.size() > max_line_) lines.push_back(std::exchange(pending_, std::string()));
  return lines;
}

std::string LineSplitter::flush() { return std::exchange(pending_, std::string()); }

}  // namespace ferry::spawner
