#include "runtime/cli/run_launcher.hpp"

#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string_view>
#include <thread>

#include "runtime/common/error.hpp"

extern char** environ;

namespace ferry::cli {

namespace {
constexpr auto escalation_delay = std::chrono::seconds(10);
constexpr auto hung_launcher_delay = std::chrono::seconds(10);

sigset_t launcher_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGCHLD);
  return signals;
}

std::vector<std::string> mpirun_command(const RunOptions& options, const JobEnvironment& job) {
  std::vector<std::string> command{"mpirun", "-np", std::to_string(options.batch_ranks)};
  if (::geteuid() == 0) command.emplace_back("--allow-run-as-root");
  command.emplace_back("--oversubscribe");
  command.insert(command.end(), {"-x", "LD_PRELOAD=" + job.preload});
  for (const auto& [name, value] : job.variables) command.insert(command.end(), {"-x", name + "=" + value});
  return command;
}

// srun's --export list is comma-separated, so values with commas (a spawner list) travel
// in the environment, which --export=ALL passes on; only LD_PRELOAD is named.
std::vector<std::string> srun_command(const RunOptions& options, const JobEnvironment& job) {
  if (job.preload.find(',') != std::string::npos) {
    throw Error(Errc::invalid_argument, "LD_PRELOAD '" + job.preload + "' contains a comma, which srun --export cannot carry");
  }
  // As under mpirun, one rank's failure ends the job; Debian's Open MPI joins through PMIx.
  return {"srun", "-n", std::to_string(options.batch_ranks), "--mpi=pmix", "--kill-on-bad-exit=1",
          "--export=ALL,LD_PRELOAD=" + job.preload};
}

std::vector<char*> c_strings(const std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  for (const std::string& s : strings) pointers.push_back(const_cast<char*>(s.c_str()));
  pointers.push_back(nullptr);
  return pointers;
}

int exit_code_of(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 1;
}

struct ProcessEntry {
  pid_t pid = 0;
  pid_t parent = 0;
  bool zombie = false;
  int exit_status = 0;  ///< a zombie's wait status
};

std::vector<ProcessEntry> all_processes() {
  std::vector<ProcessEntry> processes;
  std::error_code ignored;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ignored)) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    // Fields after the command name, which is in parentheses and may contain spaces.
    const size_t close = line.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream fields(line.substr(close + 1));
    ProcessEntry process;
    process.pid = static_cast<pid_t>(std::stol(name));
    char state = 0;
    if (!(fields >> state >> process.parent)) continue;
    process.zombie = state == 'Z';
    // Field 52 of stat, the exit status, follows the state (3) and the parent (4) after
    // 47 more fields.
    std::string field;
    for (int skipped = 0; skipped < 47 && fields >> field; ++skipped) {
    }
    fields >> process.exit_status;
    processes.push_back(process);
  }
  return processes;
}

std::vector<pid_t> children_of(pid_t parent) {
  std::vector<pid_t> children;
  for (const ProcessEntry& process : all_processes()) {
    if (process.parent == parent) children.push_back(process.pid);
  }
  return children;
}

/// The launcher's descendants (its ranks): how many still run, and the highest exit code
/// among those that ended and are not reaped yet.
struct LauncherRanks {
  size_t running = 0;
  size_t ended = 0;  ///< not reaped yet
  int worst_exit_code = 0;
};

LauncherRanks ranks_of(pid_t launcher) {
  const std::vector<ProcessEntry> processes = all_processes();
  LauncherRanks ranks;
  std::vector<pid_t> generation{launcher};
  while (!generation.empty()) {
    std::vector<pid_t> next;
    for (const ProcessEntry& process : processes) {
      if (std::find(generation.begin(), generation.end(), process.parent) == generation.end()) continue;
      next.push_back(process.pid);
      if (!process.zombie) {
        ++ranks.running;
      } else {
        ++ranks.ended;
        ranks.worst_exit_code = std::max(ranks.worst_exit_code, exit_code_of(process.exit_status));
      }
    }
    generation = std::move(next);
  }
  return ranks;
}
}  // namespace

std::vector<std::string> launcher_command(const RunOptions& options, const JobEnvironment& job) {
  std::vector<std::string> command =
      options.launcher == Launcher::mpirun ? mpirun_command(options, job) : srun_command(options, job);
  command.insert(command.end(), options.launcher_args.begin(), options.launcher_args.end());
  command.insert(command.end(), options.program.begin(), options.program.end());
  return command;
}

std::vector<std::string> launcher_environment(const JobEnvironment& job) {
  std::vector<std::string> environment;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    const std::string_view name = text.substr(0, text.find('='));
    bool replaced = false;
    for (const auto& variable : job.variables) replaced = replaced || variable.first == name;
    if (!replaced) environment.emplace_back(text);
  }
  for (const auto& [name, value] : job.variables) environment.push_back(name + "=" + value);
  return environment;
}

void block_launcher_signals() {
  const sigset_t signals = launcher_signals();
  ::pthread_sigmask(SIG_BLOCK, &signals, nullptr);
}

void become_subreaper() { ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); }

LauncherProcess::LauncherProcess(const std::vector<std::string>& command, const std::vector<std::string>& environment,
                                 int stderr_fd) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (stderr_fd >= 0) posix_spawn_file_actions_adddup2(&actions, stderr_fd, STDERR_FILENO);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t empty;
  sigemptyset(&empty);
  const sigset_t defaults = launcher_signals();
  posix_spawnattr_setsigmask(&attributes, &empty);
  posix_spawnattr_setsigdefault(&attributes, &defaults);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  auto argv = c_strings(command);
  auto envp = c_strings(environment);
  const int failed = ::posix_spawnp(&pid_, argv[0], &actions, &attributes, argv.data(), envp.data());
  posix_spawnattr_destroy(&attributes);
  posix_spawn_file_actions_destroy(&actions);
  if (failed != 0) {
    pid_ = -1;
    throw Error(Errc::not_found, "cannot start the launcher '" + command.front() + "': " + std::strerror(failed));
  }
}

LauncherProcess::~LauncherProcess() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
}

int LauncherProcess::wait_forwarding_signals() {
  const sigset_t signals = launcher_signals();
  const timespec poll{0, 200'000'000};
  std::optional<std::chrono::steady_clock::time_point> forwarded_at;
  bool ranks_seen = false;
  bool launcher_hung = false;
  int worst_exit_code = 0;
  auto last_rank_seen = std::chrono::steady_clock::now();
  for (;;) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      if (launcher_hung) return worst_exit_code != 0 ? worst_exit_code : 1;
      return exit_code_of(status);
    }
    const int signal = ::sigtimedwait(&signals, nullptr, &poll);
    const auto now = std::chrono::steady_clock::now();
    if (signal == SIGINT || signal == SIGTERM) {
      ::kill(pid_, forwarded_at ? SIGKILL : signal);
      if (!forwarded_at) forwarded_at = now;
    } else if (forwarded_at && now - *forwarded_at > escalation_delay) {
      ::kill(pid_, SIGKILL);
    }
    if (forwarded_at) continue;
    // Open MPI's mpirun can hang in its own shutdown (in PMIx_server_finalize) after every
    // rank has ended: a launcher left without ranks for long is stopped.
    const LauncherRanks ranks = ranks_of(pid_);
    worst_exit_code = std::max(worst_exit_code, ranks.worst_exit_code);
    // A rank may end before the first look: one left unreaped shows it existed.
    if (ranks.running + ranks.ended > 0 && !ranks_seen) {
      ranks_seen = true;
      last_rank_seen = now;
    }
    if (ranks.running > 0) {
      last_rank_seen = now;
    } else if (ranks_seen && now - last_rank_seen > hung_launcher_delay) {
      std::fprintf(stderr, "ferry run: the launcher has not exited %lld s after its last rank ended; stopping it\n",
                   static_cast<long long>(std::chrono::duration_cast<std::chrono::seconds>(hung_launcher_delay).count()));
      ::kill(pid_, SIGTERM);
      forwarded_at = now;
      launcher_hung = true;
    }
  }
}

void kill_remaining_children() {
  for (int round = 0; round < 100; ++round) {
    const std::vector<pid_t> children = children_of(::getpid());
    if (children.empty()) return;
    for (const pid_t child : children) ::kill(child, SIGKILL);
    for (const pid_t child : children) {
      int status = 0;
      while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
      }
    }
  }
}

}  // namespace ferry::cli
