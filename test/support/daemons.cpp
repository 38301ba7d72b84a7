#include "test/support/daemons.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <stdexcept>

namespace ferry::test {

namespace {
using Clock = std::chrono::steady_clock;

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error(what + ": " + std::strerror(errno));
}

// Runs in the forked child: only async-signal-safe calls until exec.
[[noreturn]] void exec_child(int stdout_fd, pid_t parent, long max_fd, char* const* argv) {
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != parent) ::_exit(127);
  if (::dup2(stdout_fd, STDOUT_FILENO) < 0) ::_exit(127);
  if (::syscall(SYS_close_range, 3U, ~0U, 0U) != 0) {
    for (long fd = 3; fd < max_fd; ++fd) ::close(static_cast<int>(fd));
  }
  ::execv(argv[0], argv);
  ::_exit(127);
}

std::string read_stat(pid_t pid) {
  std::ifstream file("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  std::getline(file, text);
  return text;
}
}  // namespace

std::string ferry_cli() { return FERRY_BINARY_DIR "/bin/ferry"; }
std::string ferry_worker() {
  // FERRY_WORKER, as for the embedded spawner: lets a sanitizer build run a plain worker.
  const char* worker = std::getenv("FERRY_WORKER");
  return worker != nullptr && *worker != '\0' ? worker : FERRY_BINARY_DIR "/bin/ferry-worker";
}
std::string test_library() {
  // FERRY_TEST_LIBRARY goes with FERRY_WORKER: a plain worker cannot load a library built
  // with AddressSanitizer.
  const char* library = std::getenv("FERRY_TEST_LIBRARY");
  return library != nullptr && *library != '\0' ? library : FERRY_TEST_FUNCTIONS_DIR "/libferry_test_basic.so";
}

std::string self_executable() {
  std::array<char, 4096> path{};
  const ssize_t n = ::readlink("/proc/self/exe", path.data(), path.size() - 1);
  if (n <= 0) fail("readlink /proc/self/exe");
  return std::string(path.data(), static_cast<size_t>(n));
}

// ---------------------------------------------------------------- TempDir

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "ferry-it-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) fail("mkdtemp");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

// ---------------------------------------------------------------- DaemonProcess

DaemonProcess::DaemonProcess(std::vector<std::string> argv, const std::string& marker,
                             std::chrono::milliseconds deadline)
    : marker_(marker) {
  std::vector<char*> args;
  for (auto& arg : argv) args.push_back(arg.data());
  args.push_back(nullptr);
  const long max_fd = std::min(::sysconf(_SC_OPEN_MAX), 65536L);
  std::array<int, 2> pipe{};
  if (::pipe2(pipe.data(), O_CLOEXEC) != 0) fail("pipe2");
  const pid_t parent = ::getpid();
  pid_ = ::fork();
  if (pid_ < 0) {
    ::close(pipe[0]);
    ::close(pipe[1]);
    fail("fork");
  }
  if (pid_ == 0) exec_child(pipe[1], parent, max_fd, args.data());
  ::close(pipe[1]);
  reader_ = std::thread([this, fd = pipe[0]] { read_output(fd); });

  std::unique_lock lock(mutex_);
  const bool ready = changed_.wait_for(lock, deadline, [&] { return !ready_line_.empty() || output_closed_; });
  if (!ready_line_.empty()) return;
  lock.unlock();
  cleanup();
  throw std::runtime_error("'" + argv[0] + (argv.size() > 1 ? " " + argv[1] : "") + "' did not print '" + marker +
                           "' " + (ready ? "before closing its output" : "in time"));
}

DaemonProcess::~DaemonProcess() { cleanup(); }

void DaemonProcess::cleanup() noexcept {
  try {
    stop(5s);
  } catch (...) {
  }
  if (reader_.joinable()) reader_.join();
}

void DaemonProcess::read_output(int fd) {
  std::string partial;
  std::array<char, 4096> buffer{};
  for (;;) {
    pollfd entry{fd, POLLIN, 0};
    const int ready = ::poll(&entry, 1, 100);
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0) {
      std::lock_guard lock(mutex_);
      if (reaped_) break;  // a grandchild may hold the pipe; the process itself is gone
      continue;
    }
    const ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    partial.append(buffer.data(), static_cast<size_t>(n));
    for (auto newline = partial.find('\n'); newline != std::string::npos; newline = partial.find('\n')) {
      std::string line = partial.substr(0, newline);
      partial.erase(0, newline + 1);
      std::cerr << line << '\n';
      std::lock_guard lock(mutex_);
      if (ready_line_.empty() && line.rfind(marker_, 0) == 0) {
        ready_line_ = line;
        ready_index_ = lines_.size();
      }
      lines_.push_back(std::move(line));
      changed_.notify_all();
    }
  }
  ::close(fd);
  std::lock_guard lock(mutex_);
  output_closed_ = true;
  changed_.notify_all();
}

std::string DaemonProcess::after(const std::string& text) const {
  const auto at = ready_line_.find(text);
  if (at == std::string::npos) return {};
  std::string rest = ready_line_.substr(at + text.size());
  const auto blank = rest.find_first_of(" \t\r");
  return blank == std::string::npos ? rest : rest.substr(0, blank);
}

std::vector<std::string> DaemonProcess::lines() const {
  std::lock_guard lock(mutex_);
  return lines_;
}

bool DaemonProcess::wait_for_line(const std::string& text, std::chrono::milliseconds deadline) {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, deadline, [&] {
    for (const auto& line : lines_) {
      if (line.find(text) != std::string::npos) return true;
    }
    return false;
  });
}

void DaemonProcess::signal(int sig) const {
  if (pid_ > 0 && !reaped_) ::kill(pid_, sig);
}

std::optional<int> DaemonProcess::wait_exit(std::chrono::milliseconds deadline) {
  if (reaped_) return status_;
  const auto until = Clock::now() + deadline;
  for (;;) {
    int status = 0;
    const pid_t done = ::waitpid(pid_, &status, WNOHANG);
    if (done == pid_ || (done < 0 && errno == ECHILD)) {
      std::lock_guard lock(mutex_);
      reaped_ = true;
      if (done == pid_) status_ = status;
      return status_;
    }
    if (Clock::now() >= until) return std::nullopt;
    std::this_thread::sleep_for(10ms);
  }
}

std::optional<int> DaemonProcess::stop(std::chrono::milliseconds grace) {
  if (pid_ <= 0 || reaped_) return status_;
  ::kill(pid_, SIGCONT);  // a stopped process cannot act on SIGTERM
  ::kill(pid_, SIGTERM);
  if (auto status = wait_exit(grace)) return status;
  kill_now();
  return std::nullopt;
}

void DaemonProcess::kill_now() {
  if (pid_ <= 0 || reaped_) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  std::lock_guard lock(mutex_);
  reaped_ = true;
  status_ = status;
}

// ---------------------------------------------------------------- ferry daemons

void make_secret(const std::string& path) {
  DaemonProcess secret({ferry_cli(), "secret", path}, "wrote a new cluster secret");
  const auto status = secret.wait_exit(10s);
  if (!status || !WIFEXITED(*status) || WEXITSTATUS(*status) != 0) {
    throw std::runtime_error("ferry secret " + path + " failed");
  }
}

ManagerProcess::ManagerProcess(const std::string& secret_file, const std::vector<std::string>& extra)
    : DaemonProcess(
          [&] {
            std::vector<std::string> argv{ferry_cli(), "manager", "--secret-file", secret_file};
            if (std::find(extra.begin(), extra.end(), "--listen") == extra.end()) {
              argv.insert(argv.end(), {"--listen", "127.0.0.1:0"});
            }
            argv.insert(argv.end(), extra.begin(), extra.end());
            return argv;
          }(),
          "ferry manager listening on ") {}

namespace {
std::vector<std::string> spawner_argv(const std::string& work_root, const std::vector<std::string>& head,
                                      const std::vector<std::string>& extra) {
  std::vector<std::string> argv{ferry_cli(), "spawner", "--listen", "127.0.0.1:0", "--worker", ferry_worker(),
                                "--work-root", work_root};
  // The tests run as root, as does their client: a spawner run as root serves root's
  // leases only when told to.
  if (::geteuid() == 0) argv.push_back("--allow-root-owner");
  argv.insert(argv.end(), head.begin(), head.end());
  argv.insert(argv.end(), extra.begin(), extra.end());
  return argv;
}

std::string next_work_root(const TempDir& dir) {
  static std::atomic<int> instance = 0;
  return dir.file("spawner-work-" + std::to_string(instance++));
}
}  // namespace

SpawnerProcess::SpawnerProcess(const TempDir& dir, const std::vector<std::string>& extra)
    : SpawnerProcess(next_work_root(dir), {}, extra) {}

SpawnerProcess::SpawnerProcess(const TempDir& dir, const std::string& manager, const std::string& secret_file,
                               const std::vector<std::string>& extra)
    : SpawnerProcess(next_work_root(dir), {"--manager", manager, "--secret-file", secret_file}, extra) {}

SpawnerProcess::SpawnerProcess(const std::string& work_root, const std::string& manager, const std::string& secret_file,
                               const std::vector<std::string>& extra)
    : SpawnerProcess(work_root, {"--manager", manager, "--secret-file", secret_file}, extra) {}

SpawnerProcess::SpawnerProcess(const std::string& work_root, const std::vector<std::string>& head,
                               const std::vector<std::string>& extra)
    : DaemonProcess(spawner_argv(work_root, head, extra), "ferry spawner "), work_root_(work_root) {}

std::string SpawnerProcess::id() const {
  static const std::string prefix = "ferry spawner ";
  const std::string& line = ready_line();
  const auto end = line.find(" listening on ");
  if (end == std::string::npos || end < prefix.size()) return {};
  return line.substr(prefix.size(), end - prefix.size());
}

std::string SpawnerProcess::address() const { return after(" listening on "); }

// ---------------------------------------------------------------- processes

char process_state(pid_t pid) {
  const std::string stat = read_stat(pid);
  const auto paren = stat.rfind(')');
  if (paren == std::string::npos || paren + 2 >= stat.size()) return 0;
  return stat[paren + 2];
}

bool process_gone(pid_t pid, std::chrono::milliseconds deadline) {
  return eventually(
      [pid] {
        if (::kill(pid, 0) != 0 && errno == ESRCH) return true;
        const char state = process_state(pid);
        return state == 0 || state == 'Z' || state == 'X';
      },
      deadline);
}

bool process_reaped(pid_t pid, std::chrono::milliseconds deadline) {
  return eventually([pid] { return ::kill(pid, 0) != 0 && errno == ESRCH; }, deadline);
}

bool is_waiting_worker(pid_t pid) {
  const std::string proc = "/proc/" + std::to_string(pid);
  std::ifstream cmdline(proc + "/cmdline", std::ios::binary);
  bool warm = false;
  for (std::string argument; std::getline(cmdline, argument, '\0');) warm = warm || argument == "--warm-fd";
  if (!warm) return false;
  std::error_code error;
  const auto cwd = std::filesystem::read_symlink(proc + "/cwd", error);
  return !error && cwd.filename().string().rfind("lease-", 0) != 0;
}

std::vector<pid_t> children_named(pid_t parent, const std::string& comm) {
  std::vector<pid_t> children;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", error)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    const pid_t pid = static_cast<pid_t>(std::stol(name));
    const std::string stat = read_stat(pid);
    const auto open = stat.find('(');
    const auto close = stat.rfind(')');
    if (open == std::string::npos || close == std::string::npos || close + 2 >= stat.size()) continue;
    std::istringstream rest(stat.substr(close + 2));
    char state = 0;
    pid_t ppid = 0;
    rest >> state >> ppid;
    if (ppid == parent && state != 'Z' && state != 'X' && stat.substr(open + 1, close - open - 1) == comm) {
      children.push_back(pid);
    }
  }
  return children;
}

uint16_t closed_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) fail("socket");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof address;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    ::close(fd);
    fail("bind 127.0.0.1:0");
  }
  ::close(fd);
  return ntohs(address.sin_port);
}

}  // namespace ferry::test
