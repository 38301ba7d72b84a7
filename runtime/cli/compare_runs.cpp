#include "runtime/cli/compare_runs.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <sstream>

#include "runtime/common/error.hpp"

extern char** environ;

namespace ferry::cli {

namespace {

/// An unlinked temporary file that collects one stream of a child.
class CaptureFile {
 public:
  CaptureFile() {
    std::string pattern = (std::filesystem::temp_directory_path() / "ferry-compare-XXXXXX").string();
    fd_ = ::mkstemp(pattern.data());
    if (fd_ < 0) throw_system_error("mkstemp " + pattern);
    ::unlink(pattern.c_str());
  }
  CaptureFile(const CaptureFile&) = delete;
  CaptureFile& operator=(const CaptureFile&) = delete;
  ~CaptureFile() { ::close(fd_); }
  int fd() const { return fd_; }

  std::string contents() const {
    std::string text;
    char buffer[65536];
    for (off_t offset = 0;;) {
      const ssize_t got = ::pread(fd_, buffer, sizeof buffer, offset);
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) throw_system_error("read captured output");
      if (got == 0) return text;
      text.append(buffer, size_t(got));
      offset += got;
    }
  }

 private:
  int fd_ = -1;
};

/// posix_spawn file actions, destroyed with the object.
class FileActions {
 public:
  FileActions() { posix_spawn_file_actions_init(&actions_); }
  FileActions(const FileActions&) = delete;
  FileActions& operator=(const FileActions&) = delete;
  ~FileActions() { posix_spawn_file_actions_destroy(&actions_); }
  posix_spawn_file_actions_t* get() { return &actions_; }

 private:
  posix_spawn_file_actions_t actions_;
};

int wait_exit_code(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw_system_error("waitpid");
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 1;
}

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

CapturedRun run_captured(const std::vector<std::string>& command) {
  CaptureFile out, err;
  FileActions actions;
  posix_spawn_file_actions_addopen(actions.get(), STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(actions.get(), out.fd(), STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(actions.get(), err.fd(), STDERR_FILENO);
  std::vector<char*> argv;
  for (const std::string& word : command) argv.push_back(const_cast<char*>(word.c_str()));
  argv.push_back(nullptr);
  pid_t pid = -1;
  const int failed = ::posix_spawnp(&pid, argv[0], actions.get(), nullptr, argv.data(), environ);
  if (failed != 0) {
    throw Error(Errc::not_found, "cannot start '" + command.front() + "': " + std::strerror(failed));
  }
  CapturedRun run;
  run.exit_code = wait_exit_code(pid);
  run.out = out.contents();
  run.err = err.contents();
  return run;
}

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
