#include "spawner/process/launch_plan.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <system_error>

#include "runtime/common/error.hpp"

namespace ferry::spawner {
namespace {

std::string search_path_of(const std::vector<std::string>& env) {
  for (const std::string& entry : env) {
    if (entry.starts_with("PATH=")) return entry.substr(5);
  }
  return "/usr/bin:/bin";
}

bool is_executable_file(const std::string& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode) &&
         ::access(path.c_str(), X_OK) == 0;
}

// Relative PATH entries are skipped: they would name the spawner's directory, not the child's.
std::string resolve_executable(const std::string& program, const std::vector<std::string>& env) {
  if (program.find('/') != std::string::npos) return program;
  const std::string search_path = search_path_of(env);
  std::size_t begin = 0;
  while (begin <= search_path.size()) {
    const std::size_t end = std::min(search_path.find(':', begin), search_path.size());
    const std::string directory = search_path.substr(begin, end - begin);
    const std::string candidate = directory + '/' + program;
    if (directory.starts_with('/') && is_executable_file(candidate)) return candidate;
    begin = end + 1;
  }
  throw launch_error(program, LaunchReport{LaunchStep::exec, ENOENT});
}

std::vector<char*> pointers_to(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  pointers.reserve(strings.size() + 1);
  for (std::string& text : strings) pointers.push_back(text.data());
  pointers.push_back(nullptr);
  return pointers;
}

void set_cpus(LaunchPlan& plan, const std::vector<int>& cpus) {
  CPU_ZERO(&plan.cpus);
  for (const int cpu : cpus) {
    if (cpu < 0 || cpu >= CPU_SETSIZE) {
      throw Error(Errc::invalid_argument, "spawn: no such cpu " + std::to_string(cpu));
    }
    CPU_SET(cpu, &plan.cpus);
  }
  plan.pin_cpus = !cpus.empty();
}

void set_memory_limit(LaunchPlan& plan, uint64_t bytes) {
  plan.limit_memory = bytes != 0;
  plan.memory_limit.rlim_cur = static_cast<rlim_t>(bytes);
  plan.memory_limit.rlim_max = static_cast<rlim_t>(bytes);
}

void set_identity(LaunchPlan& plan, const std::optional<ProcessIdentity>& identity) {
  if (!identity) return;
  if (identity->uid == 0 || identity->gid == 0) {
    throw Error(Errc::invalid_argument, "spawn: a process is never switched to root's uid or gid");
  }
  plan.switch_user = true;
  plan.uid = identity->uid;
  plan.gid = identity->gid;
  plan.groups = identity->groups;
}

void check_inherited(int from, int to) {
  if (to < 3) {
    throw Error(Errc::invalid_argument,
                "spawn: cannot inherit a descriptor as number " + std::to_string(to));
  }
  if (::fcntl(from, F_GETFD) < 0) {
    throw Error(Errc::invalid_argument,
                "spawn: descriptor " + std::to_string(from) + " to inherit is not open");
  }
}

void set_fd_moves(LaunchPlan& plan, const int (&stdio)[3],
                  const std::vector<std::pair<int, int>>& inherit) {
  for (int target = 0; target < 3; ++target) plan.fd_moves.push_back({stdio[target], target});
  for (const auto& [from, to] : inherit) {
    check_inherited(from, to);
    plan.fd_moves.push_back({from, to});
  }
  auto& moves = plan.fd_moves;
  const auto by_target = [](const FdMove& a, const FdMove& b) { return a.to < b.to; };
  std::sort(moves.begin(), moves.end(), by_target);
  const auto same_target = [](const FdMove& a, const FdMove& b) { return a.to == b.to; };
  const auto twice = std::adjacent_find(moves.begin(), moves.end(), same_target);
  if (twice != moves.end()) {
    throw Error(Errc::invalid_argument,
                "spawn: descriptor number " + std::to_string(twice->to) + " is inherited twice");
  }
  plan.fd_floor = moves.back().to + 1;
}

}  // namespace

std::string_view launch_step_name(LaunchStep step) noexcept {
  switch (step) {
    case LaunchStep::process_group: return "setpgid";
    case LaunchStep::cgroup: return "joining the lease's cgroup";
    case LaunchStep::groups: return "setgroups";
    case LaunchStep::group_id: return "setgid";
    case LaunchStep::user_id: return "setuid";
    case LaunchStep::privileges_kept: return "dropping root";
    case LaunchStep::parent_death_signal: return "prctl(PR_SET_PDEATHSIG)";
    case LaunchStep::signals: return "sigprocmask";
    case LaunchStep::affinity: return "sched_setaffinity";
    case LaunchStep::memory_limit: return "setrlimit(RLIMIT_DATA)";
    case LaunchStep::working_directory: return "chdir";
    case LaunchStep::file_descriptors: return "dup2";
    case LaunchStep::exec: return "execve";
  }
  return "launch";
}

Error launch_error(const std::string& program, const LaunchReport& report) {
  std::string message = "cannot start '" + program + "': ";
  if (report.step != LaunchStep::exec) message += std::string(launch_step_name(report.step)) + ": ";
  message += std::generic_category().message(report.error);
  const bool names_a_path =
      report.step == LaunchStep::exec || report.step == LaunchStep::working_directory;
  const bool missing = names_a_path && (report.error == ENOENT || report.error == ENOTDIR);
  return Error(missing ? Errc::not_found : Errc::system, message);
}

LaunchPlan::LaunchPlan(const ProcessSpec& spec, const int (&stdio)[3], int report)
    : arguments(spec.argv),
      environment(spec.env),
      working_directory(spec.working_directory),
      report_fd(report),
      parent_pid(::getpid()) {
  if (arguments.empty()) throw Error(Errc::invalid_argument, "spawn: argv is empty");
  executable = resolve_executable(arguments.front(), environment);
  argv = pointers_to(arguments);
  envp = pointers_to(environment);
  set_cpus(*this, spec.cpus);
  set_memory_limit(*this, spec.memory_limit_bytes);
  set_identity(*this, spec.identity);
  cgroup_procs_fd = spec.cgroup_procs_fd;
  set_fd_moves(*this, stdio, spec.inherit_fds);
}

}  // namespace ferry::spawner
