#include "runtime/cli/srun_task_failures.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "runtime/common/error.hpp"

namespace ferry::cli {

namespace {
constexpr std::string_view prefix = "srun: error: ";
constexpr std::string_view exited = "Exited with exit code ";
constexpr std::string_view core_dumped = " (core dumped)";
constexpr auto drain_time = std::chrono::seconds(2);

/// The signal whose strsignal() text is `text`; 0 when none is.
int signal_named(std::string_view text) {
  for (int signal = 1; signal < NSIG; ++signal) {
    const char* name = ::strsignal(signal);
    if (name != nullptr && text == name) return signal;
  }
  return 0;
}

/// "<nodes>: task<s> <ids>: <how>" after the prefix: the part after the second ": ".
std::optional<std::string_view> how_tasks_ended(std::string_view line) {
  if (!line.starts_with(prefix)) return std::nullopt;
  line.remove_prefix(prefix.size());
  const size_t nodes_end = line.find(": task");
  if (nodes_end == std::string_view::npos) return std::nullopt;
  line.remove_prefix(nodes_end + 2);
  const size_t tasks_end = line.find(": ");
  if (tasks_end == std::string_view::npos) return std::nullopt;
  return line.substr(tasks_end + 2);
}

void write_all(int fd, const char* data, size_t size) {
  while (size > 0) {
    const ssize_t written = ::write(fd, data, size);
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) return;
    data += written;
    size -= size_t(written);
  }
}
}  // namespace

void SrunTaskFailures::read_line(std::string_view line) {
  if (first_) return;
  auto how = how_tasks_ended(line);
  if (!how) return;
  if (how->starts_with(exited)) {
    const int code = std::atoi(std::string(how->substr(exited.size())).c_str());
    if (code != 0) first_ = code;
    return;
  }
  if (how->ends_with(core_dumped)) how->remove_suffix(core_dumped.size());
  const int signal = signal_named(*how);
  if (signal != 0 && signal != SIGTERM && signal != SIGKILL) first_ = 128 + signal;
}

int srun_exit_code(int launcher_code, std::optional<int> first_failure) {
  return launcher_code != 0 && first_failure ? *first_failure : launcher_code;
}

SrunStderrReader::SrunStderrReader() {
  int ends[2];
  if (::pipe2(ends, O_CLOEXEC) != 0) throw_system_error("pipe for srun's stderr");
  read_end_.reset(ends[0]);
  write_end_.reset(ends[1]);
}

SrunStderrReader::~SrunStderrReader() {
  if (reader_.joinable()) finish();
}

void SrunStderrReader::start() { reader_ = std::thread([this] { copy_lines(); }); }

std::optional<int> SrunStderrReader::finish() {
  write_end_.reset();
  launcher_ended_ = true;
  if (reader_.joinable()) reader_.join();
  return failures_.first_failure();
}

void SrunStderrReader::copy_lines() {
  std::string pending;
  char buffer[4096];
  std::optional<std::chrono::steady_clock::time_point> deadline;
  for (;;) {
    // Once this process closed its write end, only srun's descendants can keep the pipe open.
    if (launcher_ended_ && !deadline) deadline = std::chrono::steady_clock::now() + drain_time;
    if (deadline && std::chrono::steady_clock::now() > *deadline) break;
    pollfd readable{read_end_.get(), POLLIN, 0};
    if (::poll(&readable, 1, 100) <= 0) continue;
    const ssize_t got = ::read(read_end_.get(), buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    write_all(STDERR_FILENO, buffer, size_t(got));
    pending.append(buffer, size_t(got));
    for (size_t end = pending.find('\n'); end != std::string::npos; end = pending.find('\n')) {
      failures_.read_line(std::string_view(pending).substr(0, end));
      pending.erase(0, end + 1);
    }
  }
  if (!pending.empty()) failures_.read_line(pending);
}

}  // namespace ferry::cli
