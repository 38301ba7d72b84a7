#include "runtime/cli/compare_runs.hpp"

#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <sstream>

#include "runtime/common/error.hpp"

namespace ferry::cli {

namespace {

std::optional<double> parse_number(const std::string& text) {
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  errno = 0;
  const double value = std::strtod(text.c_str(), &end);
  if (errno != 0 || end != text.c_str() + text.size()) return std::nullopt;
  return value;
}

ResultLine parse_result_fields(const std::string& line) {
  std::map<std::string, std::string> fields;
  std::istringstream words(line.substr(std::strlen("result ")));
  for (std::string word; words >> word;) {
    const size_t equals = word.find('=');
    if (equals != std::string::npos) fields[word.substr(0, equals)] = word.substr(equals + 1);
  }
  for (const char* name : {"app", "ranks", "time", "check"}) {
    if (fields.count(name) == 0) throw Error(Errc::invalid_argument, "result line without " + std::string(name) + "=: '" + line + "'");
  }
  ResultLine result;
  result.app = fields["app"];
  result.check = fields["check"];
  const auto ranks = parse_number(fields["ranks"]);
  const auto seconds = parse_number(fields["time"]);
  if (!ranks || *ranks < 1 || *ranks != std::floor(*ranks)) {
    throw Error(Errc::invalid_argument, "result line with a malformed ranks= value: '" + line + "'");
  }
  if (!seconds || !std::isfinite(*seconds) || *seconds < 0) {
    throw Error(Errc::invalid_argument, "result line with a malformed time= value: '" + line + "'");
  }
  result.ranks = unsigned(*ranks);
  result.seconds = *seconds;
  return result;
}

}  // namespace

std::optional<ResultLine> find_result_line(const std::string& output) {
  std::optional<std::string> last;
  std::istringstream lines(output);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("result ", 0) == 0) last = line;
  }
  if (!last) return std::nullopt;
  return parse_result_fields(*last);
}

bool checks_agree(const std::string& a, const std::string& b) {
  const auto x = parse_number(a);
  const auto y = parse_number(b);
  if (!x || !y) return a == b;
  return std::abs(*x - *y) <= 1e-9 * std::max(std::abs(*x), std::abs(*y));
}

std::string tail_lines(const std::string& text, size_t count) {
  size_t start = text.size();
  if (start > 0 && text[start - 1] == '\n') --start;
  for (size_t seen = 0; start > 0; --start) {
    if (text[start - 1] == '\n' && ++seen == count) break;
  }
  return text.substr(start);
}

std::string command_line(const std::vector<std::string>& command) {
  std::string line;
  for (const std::string& word : command) {
    if (!line.empty()) line += ' ';
    if (!word.empty() && word.find_first_of(" \t'\"\\$") == std::string::npos) {
      line += word;
      continue;
    }
    line += '\'';
    for (const char c : word) line += c == '\'' ? std::string("'\\''") : std::string(1, c);
    line += '\'';
  }
  return line;
}

std::optional<std::string> find_on_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::istringstream directories(path != nullptr ? path : "/usr/bin:/bin");
  for (std::string directory; std::getline(directories, directory, ':');) {
    const std::string candidate = (directory.empty() ? std::string(".") : directory) + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0 && !std::filesystem::is_directory(candidate)) return candidate;
  }
  return std::nullopt;
}

}  // namespace ferry::cli
