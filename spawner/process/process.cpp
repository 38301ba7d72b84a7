#include "spawner/process/process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <ctime>
#include <utility>

#include "runtime/common/error.hpp"
#include "spawner/process/launch_plan.hpp"

namespace ferry::spawner {
namespace {

struct Pipe {
  UniqueFd read;
  UniqueFd write;
};

Pipe make_pipe() {
  int ends[2];
  if (::pipe2(ends, O_CLOEXEC) != 0) throw_system_error("pipe2");
  return Pipe{UniqueFd(ends[0]), UniqueFd(ends[1])};
}

Pipe make_output_pipe() {
  Pipe pipe = make_pipe();
  const int flags = ::fcntl(pipe.read.get(), F_GETFL);
  if (flags < 0 || ::fcntl(pipe.read.get(), F_SETFL, flags | O_NONBLOCK) != 0) {
    throw_system_error("fcntl(O_NONBLOCK)");
  }
  return pipe;
}

UniqueFd open_dev_null() {
  UniqueFd fd(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) throw_system_error("open /dev/null");
  return fd;
}

UniqueFd open_pidfd(pid_t pid) {
  UniqueFd fd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  if (fd.get() < 0) throw_system_error("pidfd_open");
  return fd;
}

uint64_t nanoseconds(const timeval& time) {
  return static_cast<uint64_t>(time.tv_sec) * 1'000'000'000u +
         static_cast<uint64_t>(time.tv_usec) * 1'000u;
}

ExitStatus make_exit_status(int wait_status, const rusage& usage, Clock::duration wall) {
  ExitStatus status;
  if (WIFSIGNALED(wait_status)) {
    status.signal = WTERMSIG(wait_status);
    status.exit_code = 128 + status.signal;
  } else {
    status.exit_code = WEXITSTATUS(wait_status);
  }
  status.wall_ns = static_cast<uint64_t>(std::chrono::nanoseconds(wall).count());
  status.cpu_ns = nanoseconds(usage.ru_utime) + nanoseconds(usage.ru_stime);
  status.peak_memory_kib = static_cast<uint64_t>(usage.ru_maxrss);
  return status;
}

}  // namespace

Process Process::spawn(const ProcessSpec& spec) {
  Pipe out = make_output_pipe();
  Pipe err = make_output_pipe();
  const UniqueFd stdin_fd = open_dev_null();
  Pipe report = make_pipe();
  LaunchPlan plan(spec, {stdin_fd.get(), out.write.get(), err.write.get()}, report.write.get());

  const Clock::time_point started = Clock::now();
  const pid_t pid = ::fork();
  if (pid < 0) throw_system_error("fork");
  if (pid == 0) run_child(plan);

  Process process(pid, started, std::move(out.read), std::move(err.read));
  report.write.reset();
  process.pidfd_ = open_pidfd(pid);
  process.await_exec(std::move(report.read), spec.argv.front());
  return process;
}

Process::Process(pid_t pid, Clock::time_point started, UniqueFd out, UniqueFd err) noexcept
    : pid_(pid), started_(started), stdout_(std::move(out)), stderr_(std::move(err)) {}

Process::Process(Process&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      started_(other.started_),
      cpu_ns_before_(other.cpu_ns_before_),
      pidfd_(std::move(other.pidfd_)),
      stdout_(std::move(other.stdout_)),
      stderr_(std::move(other.stderr_)),
      exit_status_(std::exchange(other.exit_status_, std::nullopt)) {}

Process& Process::operator=(Process&& other) noexcept {
  if (this != &other) {
    release();
    pid_ = std::exchange(other.pid_, -1);
    started_ = other.started_;
    cpu_ns_before_ = other.cpu_ns_before_;
    pidfd_ = std::move(other.pidfd_);
    stdout_ = std::move(other.stdout_);
    stderr_ = std::move(other.stderr_);
    exit_status_ = std::exchange(other.exit_status_, std::nullopt);
  }
  return *this;
}

Process::~Process() { release(); }

// The report pipe is close-on-exec: end of file means exec succeeded.
void Process::await_exec(UniqueFd report, const std::string& program) {
  LaunchReport failure{};
  ssize_t got = 0;
  do {
    got = ::read(report.get(), &failure, sizeof failure);
  } while (got < 0 && errno == EINTR);
  if (got == 0) return;
  if (got < 0) throw_system_error("read launch report");
  if (got != sizeof failure) {
    throw Error(Errc::system, "cannot start '" + program + "': truncated launch report");
  }
  throw launch_error(program, failure);
}

bool Process::try_reap(ExitStatus& status) {
  if (pid_ <= 0) return false;
  if (!exit_status_) {
    siginfo_t info{};
    if (::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) != 0) {
      throw_system_error("waitid");
    }
    if (info.si_pid == 0) return false;
    // Until the leader is reaped its pid still names its group, so this cannot hit a stranger.
    ::kill(-pid_, SIGKILL);
    reap();
  }
  status = *exit_status_;
  return true;
}

void Process::signal_group(int sig) {
  if (pid_ <= 0 || exit_status_) return;
  if (::kill(-pid_, sig) != 0 && errno != ESRCH) throw_system_error("kill");
  if (::getpgid(pid_) != pid_) ::kill(pid_, sig);
}

Deadline Process::terminate(std::chrono::milliseconds grace) {
  signal_group(SIGTERM);
  signal_group(SIGCONT);  // a stopped process would not see the SIGTERM until resumed
  return Deadline::after(grace);
}

void Process::kill_and_reap() {
  if (pid_ <= 0 || exit_status_) return;
  signal_group(SIGKILL);
  reap();
}

void Process::count_usage_from_now() {
  started_ = Clock::now();
  clockid_t clock{};
  timespec used{};
  if (pid_ > 0 && ::clock_getcpuclockid(pid_, &clock) == 0 && ::clock_gettime(clock, &used) == 0) {
    cpu_ns_before_ = static_cast<uint64_t>(used.tv_sec) * 1'000'000'000u + static_cast<uint64_t>(used.tv_nsec);
  }
}

void Process::reap() {
  int wait_status = 0;
  rusage usage{};
  pid_t reaped = 0;
  do {
    reaped = ::wait4(pid_, &wait_status, 0, &usage);
  } while (reaped < 0 && errno == EINTR);
  if (reaped < 0) throw_system_error("wait4");
  exit_status_ = make_exit_status(wait_status, usage, Clock::now() - started_);
  exit_status_->cpu_ns -= std::min(cpu_ns_before_, exit_status_->cpu_ns);
}

void Process::release() noexcept {
  try {
    kill_and_reap();
  } catch (const std::exception& error) {
    spdlog::error("process {}: {}", pid_, error.what());
  }
}

}  // namespace ferry::spawner
