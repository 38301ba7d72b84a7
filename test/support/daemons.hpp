#pragma once
// Fixtures of the multi-process integration tests: real `ferry manager` / `ferry spawner`
// processes on loopback ports chosen by the kernel, temporary directories, and checks
// that a process is gone. Nothing here leaves a process or a file behind.

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace ferry::test {

using namespace std::chrono_literals;

/// The `ferry` CLI, `ferry-worker` and the library of test functions of this build.
/// FERRY_WORKER (as for the embedded spawner) and FERRY_TEST_LIBRARY override the last
/// two: an AddressSanitizer worker cannot start under a lease's RLIMIT_DATA, so sanitizer
/// runs use a plain worker and library.
std::string ferry_cli();
std::string ferry_worker();
std::string test_library();
/// This test binary (for helper roles run in a child process).
std::string self_executable();

/// A fresh directory under the system temporary directory, removed with its contents.
class TempDir {
 public:
  TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir();

  const std::filesystem::path& path() const noexcept { return path_; }
  /// path() / name, as a string.
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

/// A child process started with fork+exec whose stdout is read by a thread. The child
/// gets SIGKILL should this process die first. The destructor sends SIGTERM, waits
/// (bounded), then sends SIGKILL and reaps: no process is ever left behind.
class DaemonProcess {
 public:
  /// Starts `argv` and waits until a stdout line starts with `marker` (throws after
  /// `deadline`, or when the process exits first). stderr is inherited.
  DaemonProcess(std::vector<std::string> argv, const std::string& marker,
                std::chrono::milliseconds deadline = 15s);
  DaemonProcess(const DaemonProcess&) = delete;
  DaemonProcess& operator=(const DaemonProcess&) = delete;
  ~DaemonProcess();

  pid_t pid() const noexcept { return pid_; }
  /// The stdout line that started with the marker, and how many lines came before it.
  const std::string& ready_line() const noexcept { return ready_line_; }
  size_t ready_index() const noexcept { return ready_index_; }
  /// The text after the marker on that line, up to the next blank (e.g. "HOST:PORT").
  std::string after_marker() const { return after(marker_); }
  /// The text after `text` on that line, up to the next blank.
  std::string after(const std::string& text) const;
  /// Every stdout line so far.
  std::vector<std::string> lines() const;
  /// Waits until a stdout line contains `text`; false at the deadline.
  bool wait_for_line(const std::string& text, std::chrono::milliseconds deadline);

  void signal(int sig) const;
  /// SIGTERM, wait up to `grace`, then SIGKILL; reaps. Returns the wait status, or
  /// nothing when it had to be killed. Idempotent.
  std::optional<int> stop(std::chrono::milliseconds grace = 5s);
  /// SIGKILL and reap at once.
  void kill_now();
  /// Reaps if it has exited by `deadline`; returns the wait status.
  std::optional<int> wait_exit(std::chrono::milliseconds deadline);

 private:
  void read_output(int fd);
  void cleanup() noexcept;

  pid_t pid_ = -1;
  bool reaped_ = false;
  std::optional<int> status_;
  std::string marker_;
  std::string ready_line_;
  size_t ready_index_ = 0;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::string> lines_;
  bool output_closed_ = false;
  std::thread reader_;
};

/// `ferry secret FILE`.
void make_secret(const std::string& path);

/// `ferry manager --secret-file F --listen 127.0.0.1:0 [extra]` (extra may name another
/// --listen); address() is HOST:PORT.
class ManagerProcess : public DaemonProcess {
 public:
  ManagerProcess(const std::string& secret_file, const std::vector<std::string>& extra = {});
  std::string address() const { return after_marker(); }
};

/// `ferry spawner --listen 127.0.0.1:0 --worker W --work-root R [--manager M --secret-file F] [extra]`.
class SpawnerProcess : public DaemonProcess {
 public:
  /// Stand-alone: grants leases on itself.
  SpawnerProcess(const TempDir& dir, const std::vector<std::string>& extra = {});
  /// Registered with a manager.
  SpawnerProcess(const TempDir& dir, const std::string& manager, const std::string& secret_file,
                 const std::vector<std::string>& extra = {});
  /// Registered with a manager, in a given work root (a spawner restarted where it ran).
  SpawnerProcess(const std::string& work_root, const std::string& manager, const std::string& secret_file,
                 const std::vector<std::string>& extra = {});
  /// The spawner's id and HOST:PORT, from "ferry spawner ID listening on HOST:PORT".
  std::string id() const;
  std::string address() const;
  /// Where it makes the leases' working directories.
  const std::string& work_root() const noexcept { return work_root_; }

 private:
  SpawnerProcess(const std::string& work_root, const std::vector<std::string>& head,
                 const std::vector<std::string>& extra);
  std::string work_root_;
};

/// True once `pid` does not exist or is a zombie, polled until `deadline`.
bool process_gone(pid_t pid, std::chrono::milliseconds deadline);
/// True once `pid` does not exist at all (reaped), polled until `deadline`.
bool process_reaped(pid_t pid, std::chrono::milliseconds deadline);
/// Pids of the live (non-zombie) children of `parent` whose command name is `comm`.
std::vector<pid_t> children_named(pid_t parent, const std::string& comm);
/// Whether `pid` is a ferry-worker a spawner keeps warm that has not become an executor
/// (executors run in their lease's directory).
bool is_waiting_worker(pid_t pid);
/// The state letter of /proc/PID/stat ('R', 'S', 'Z', ...), or 0 when there is none.
char process_state(pid_t pid);

/// A loopback TCP port that was free a moment ago (bound, then closed).
uint16_t closed_loopback_port();

/// Polls `condition` every 20 ms until it holds (true) or `deadline` passes (false).
template <class Condition>
bool eventually(Condition&& condition, std::chrono::milliseconds deadline) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  for (;;) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(20ms);
  }
}

}  // namespace ferry::test
