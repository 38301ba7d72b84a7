#include "runtime/common/trace.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>

namespace ferry::trace {

namespace {

struct State {
  std::mutex mutex;
  std::string name;
  int64_t origin = 0;
  int fd = -2;  // -2: not opened yet, -1: stderr
};

State& state() {
  static State* instance = new State();  // outlives static destructors: atexit phases still trace
  return *instance;
}

std::string variable(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

/// The file this process appends to, or -1 for stderr.
int open_output() {
  const std::string directory = variable("FERRY_TRACE_DIR");
  if (directory.empty()) return -1;
  const std::string path = directory + "/" + std::to_string(::getpid()) + ".trace";
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  return fd >= 0 ? fd : -1;
}

}  // namespace

bool enabled() noexcept {
  static const bool on = [] {
    const char* value = std::getenv("FERRY_TRACE");
    return value != nullptr && *value != '\0' && std::string_view(value) != "0";
  }();
  return on;
}

int64_t now_us() noexcept {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch()).count();
}

int64_t origin_us() noexcept {
  State& s = state();
  std::lock_guard lock(s.mutex);
  if (s.origin == 0) {
    const std::string text = variable("FERRY_TRACE_ORIGIN");
    int64_t origin = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), origin);
    s.origin = error == std::errc() && end == text.data() + text.size() && origin > 0 ? origin : now_us();
  }
  return s.origin;
}

void set_process_name(std::string name) {
  if (!enabled()) return;
  State& s = state();
  std::lock_guard lock(s.mutex);
  s.name = std::move(name);
}

void phase(std::string_view what) noexcept {
  if (!enabled()) return;
  try {
    const int64_t at = now_us();
    const int64_t origin = origin_us();
    State& s = state();
    std::lock_guard lock(s.mutex);
    if (s.fd == -2) s.fd = open_output();
    const std::string process = s.name.empty() ? "pid " + std::to_string(::getpid()) : s.name;
    std::string line;
    if (s.fd >= 0) {
      line = format_line({at, process, std::string(what)});
    } else {
      char stamp[32];
      std::snprintf(stamp, sizeof stamp, "%10.3f", double(at - origin) / 1000.0);
      line = "ferry trace: " + std::string(stamp) + " ms  " + process + ": " + std::string(what) + "\n";
    }
    const ssize_t written = ::write(s.fd >= 0 ? s.fd : STDERR_FILENO, line.data(), line.size());
    (void)written;
  } catch (...) {
  }
}

std::vector<std::string> environment() {
  if (!enabled()) return {};
  std::vector<std::string> variables{"FERRY_TRACE=1", "FERRY_TRACE_ORIGIN=" + std::to_string(origin_us())};
  if (const std::string directory = variable("FERRY_TRACE_DIR"); !directory.empty()) {
    variables.push_back("FERRY_TRACE_DIR=" + directory);
  }
  return variables;
}

std::string format_line(const Event& event) {
  return std::to_string(event.at_us) + "\t" + event.process + "\t" + event.phase + "\n";
}

std::optional<Event> parse_line(std::string_view line) {
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  const size_t first = line.find('\t');
  const size_t second = first == std::string_view::npos ? first : line.find('\t', first + 1);
  if (second == std::string_view::npos || first == 0) return std::nullopt;
  Event event;
  const auto [end, error] = std::from_chars(line.data(), line.data() + first, event.at_us);
  if (error != std::errc() || end != line.data() + first) return std::nullopt;
  event.process = std::string(line.substr(first + 1, second - first - 1));
  event.phase = std::string(line.substr(second + 1));
  if (event.process.empty() || event.phase.empty()) return std::nullopt;
  return event;
}

std::vector<Event> read_directory(const std::string& directory) {
  std::vector<Event> events;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(directory, error)) {
    if (entry.path().extension() != ".trace") continue;
    std::ifstream in(entry.path());
    for (std::string line; std::getline(in, line);) {
      if (auto event = parse_line(line)) events.push_back(std::move(*event));
    }
  }
  return events;
}

std::string format_timeline(std::vector<Event> events, int64_t origin_us) {
  std::stable_sort(events.begin(), events.end(), [](const Event& a, const Event& b) { return a.at_us < b.at_us; });
  size_t width = 0;
  for (const Event& event : events) width = std::max(width, event.process.size());
  std::string text = "ferry trace: start-up and shut-down, ms since ferry run started (+ms since the process's "
                     "previous phase)\n";
  std::map<std::string, int64_t> previous;
  for (const Event& event : events) {
    char line[128];
    const auto before = previous.find(event.process);
    const double step = before == previous.end() ? 0.0 : double(event.at_us - before->second) / 1000.0;
    std::snprintf(line, sizeof line, "  %10.3f  (+%8.3f)  ", double(event.at_us - origin_us) / 1000.0, step);
    text += line + event.process + std::string(width - event.process.size(), ' ') + "  " + event.phase + "\n";
    previous[event.process] = event.at_us;
  }
  return text;
}

}  // namespace ferry::trace
