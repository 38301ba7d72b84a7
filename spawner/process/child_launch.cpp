// The code a forked child runs before exec. Only async-signal-safe calls are allowed
// here (the spawner may have other threads holding malloc or logger locks), so
// everything it needs was prepared by LaunchPlan.

#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>

#include "spawner/process/launch_plan.hpp"

namespace ferry::spawner {
namespace {

[[noreturn]] void fail(const LaunchPlan& plan, LaunchStep step) noexcept {
  const LaunchReport report{step, errno};
  [[maybe_unused]] const ssize_t written = ::write(plan.report_fd, &report, sizeof report);
  ::_exit(127);
}

// Ignored signals and the signal mask survive exec: the program must start with the
// defaults, or the SIGTERM of Process::terminate might never reach it.
bool reset_signals() noexcept {
  struct sigaction default_action {};
  default_action.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig != SIGKILL && sig != SIGSTOP) ::sigaction(sig, &default_action, nullptr);
  }
  sigset_t none;
  ::sigemptyset(&none);
  return ::sigprocmask(SIG_SETMASK, &none, nullptr) == 0;
}

// Leaves open exactly the targets of fd_moves, plus the report pipe (close-on-exec).
bool close_all_but_targets(const LaunchPlan& plan) noexcept {
  unsigned next = 0;
  for (const FdMove& move : plan.fd_moves) {
    const auto target = static_cast<unsigned>(move.to);
    if (target > next && ::close_range(next, target - 1, 0) != 0) return false;
    next = target + 1;
  }
  const auto report = static_cast<unsigned>(plan.report_fd);
  if (report > next && ::close_range(next, report - 1, 0) != 0) return false;
  return ::close_range(report + 1, ~0U, 0) == 0;
}

// Every source first moves above all targets, so no dup2 can clobber a later source.
bool arrange_descriptors(LaunchPlan& plan) noexcept {
  for (FdMove& move : plan.fd_moves) {
    move.from = ::fcntl(move.from, F_DUPFD_CLOEXEC, plan.fd_floor);
    if (move.from < 0) return false;
  }
  plan.report_fd = ::fcntl(plan.report_fd, F_DUPFD_CLOEXEC, plan.fd_floor);
  if (plan.report_fd < 0) return false;
  for (const FdMove& move : plan.fd_moves) {
    if (::dup2(move.from, move.to) < 0) return false;
  }
  return close_all_but_targets(plan);
}

// Groups first, then the gid, then the uid: each later step takes away the right to do
// the earlier ones. Then root must be gone for good: setuid(0) has to fail.
void switch_user(const LaunchPlan& plan) noexcept {
  if (::setgroups(plan.groups.size(), plan.groups.data()) != 0) fail(plan, LaunchStep::groups);
  if (::setresgid(plan.gid, plan.gid, plan.gid) != 0) fail(plan, LaunchStep::group_id);
  if (::setresuid(plan.uid, plan.uid, plan.uid) != 0) fail(plan, LaunchStep::user_id);
  uid_t real = 0, effective = 0, saved = 0;
  if (::getresuid(&real, &effective, &saved) != 0 || real != plan.uid || effective != plan.uid || saved != plan.uid ||
      ::setuid(0) == 0 || ::setgid(0) == 0) {
    errno = EPERM;
    fail(plan, LaunchStep::privileges_kept);
  }
}

}  // namespace

void run_child(LaunchPlan& plan) noexcept {
  if (::setpgid(0, 0) != 0) fail(plan, LaunchStep::process_group);
  // "0" moves the writer itself; done while still privileged to write cgroup.procs.
  if (plan.cgroup_procs_fd >= 0 && ::write(plan.cgroup_procs_fd, "0", 1) != 1) fail(plan, LaunchStep::cgroup);
  // Before the death signal: changing credentials clears it.
  if (plan.switch_user) switch_user(plan);
  // The death signal fires when the forking *thread* ends: spawn from a long-lived thread.
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) fail(plan, LaunchStep::parent_death_signal);
  if (::getppid() != plan.parent_pid) ::_exit(127);  // the spawner died before prctl
  if (!reset_signals()) fail(plan, LaunchStep::signals);
  if (plan.pin_cpus && ::sched_setaffinity(0, sizeof plan.cpus, &plan.cpus) != 0) {
    fail(plan, LaunchStep::affinity);
  }
  // RLIMIT_DATA, not RLIMIT_AS: AS counts reserved address space (glibc's 64 MiB arena per
  // thread, shared libraries, UCX shared-memory segments of peers): an isolated Open MPI
  // singleton over UCX maps ~125 MiB to use ~10 MiB. DATA counts private writable memory
  // (heap, anonymous mmap, thread stacks), which is what the program really allocates.
  if (plan.limit_memory && ::setrlimit(RLIMIT_DATA, &plan.memory_limit) != 0) {
    fail(plan, LaunchStep::memory_limit);
  }
  if (!plan.working_directory.empty() && ::chdir(plan.working_directory.c_str()) != 0) {
    fail(plan, LaunchStep::working_directory);
  }
  if (!arrange_descriptors(plan)) fail(plan, LaunchStep::file_descriptors);
  ::execve(plan.executable.c_str(), plan.argv.data(), plan.envp.data());
  fail(plan, LaunchStep::exec);
}

}  // namespace ferry::spawner
