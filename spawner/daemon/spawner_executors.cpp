// The executor half of the spawner: start, watch, forward, reap, terminate.
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstring>
#include <string_view>

#include "runtime/common/environment.hpp"
#include "runtime/common/hex.hpp"
#include "runtime/common/log.hpp"
#include "runtime/common/random_bytes.hpp"
#include "runtime/common/trace.hpp"
#include "runtime/ucx/waiter.hpp"
#include "spawner/daemon/executor_user.hpp"
#include "spawner/daemon/spawner.hpp"
#include "spawner/daemon/status_pipe.hpp"
#include "spawner/process/lease_directory.hpp"
#include "spawner/process/warm_start.hpp"

namespace ferry::spawner {

namespace {
constexpr int worker_library_fd = 4;
constexpr size_t executor_key_size = 32;

std::vector<std::byte> random_key() {
  std::vector<std::byte> key(executor_key_size);
  fill_random(key);
  return key;
}

// A spawner started by mpirun or srun (or embedded in a rank they started) carries that
// launcher's context; a program that inherited it would try to join the spawner's own MPI
// job instead of starting fresh: Open MPI takes a Slurm step's variables for a direct
// launch by srun. The job's own SLURM_JOB_* variables stay.
bool is_launcher_context(std::string_view entry) {
  for (const std::string_view prefix : {"OMPI_", "PMIX_", "OPAL_", "ORTE_", "PRTE_", "SLURM_STEP", "SLURM_PROCID=",
                                        "SLURM_LOCALID=", "SLURM_NODEID=", "SLURM_TASK_PID=", "SLURM_GTIDS="}) {
    if (entry.starts_with(prefix)) return true;
  }
  return false;
}

std::string_view variable_name(std::string_view entry) { return entry.substr(0, entry.find('=')); }

/// The spawner's environment without launcher context, then the request's variables,
/// which replace inherited ones of the same name.
std::vector<std::string> program_environment(const std::vector<std::string>& requested) {
  std::vector<std::string> env = environment_entries();
  std::erase_if(env, [&](const std::string& entry) {
    if (is_launcher_context(entry)) return true;
    return std::any_of(requested.begin(), requested.end(), [&](const std::string& extra) {
      return variable_name(extra) == variable_name(entry);
    });
  });
  env.insert(env.end(), requested.begin(), requested.end());
  return env;
}

/// A program shipped here runs from the copies of the files this node lacks.
void run_shipped_copies(ProcessSpec& spec, const StagedProgram& staged) {
  if (!staged.executable.empty()) spec.argv.front() = staged.executable;
  if (staged.library_directory.empty()) return;
  auto path = std::find_if(spec.env.begin(), spec.env.end(),
                           [](const std::string& entry) { return entry.starts_with("LD_LIBRARY_PATH="); });
  if (path == spec.env.end()) {
    spec.env.push_back("LD_LIBRARY_PATH=" + staged.library_directory);
  } else {
    *path = "LD_LIBRARY_PATH=" + staged.library_directory + ":" + path->substr(std::strlen("LD_LIBRARY_PATH="));
  }
}

std::string program_directory(const std::string& requested) {
  struct stat info {};
  if (requested.empty() || requested.front() != '/') {
    throw Error(Errc::invalid_argument, "the working directory '" + requested + "' is not an absolute path");
  }
  if (::stat(requested.c_str(), &info) != 0 || !S_ISDIR(info.st_mode)) {
    throw Error(Errc::not_found, "the working directory '" + requested + "' is not an existing directory");
  }
  return requested;
}

// AddressSanitizer reserves terabytes of shadow memory at start-up, which no data limit
// allows; a sanitizer build of Ferry (whose ferry-worker is sanitized too) runs its
// executors without the memory limit.
uint64_t memory_limit_bytes(uint32_t memory_mib) {
#ifdef FERRY_SANITIZED_BUILD
  (void)memory_mib;
  return 0;
#else
  return static_cast<uint64_t>(memory_mib) << 20;
#endif
}

// Each user's libraries are cached apart: one user's cached library is never handed to
// another who merely names its hash.
std::string library_key(const wire::SpawnRequest& request) {
  return std::to_string(request.token.owner_uid) + ":" + request.library_hash;
}

// An executor run as its owner sees the owner's USER, LOGNAME and HOME, not the spawner's.
void set_user_environment(std::vector<std::string>& env, const std::optional<ProcessIdentity>& identity) {
  if (!identity) return;
  const std::string entries[] = {"USER=" + identity->user, "LOGNAME=" + identity->user, "HOME=" + identity->home};
  std::erase_if(env, [&](const std::string& entry) {
    return std::any_of(std::begin(entries), std::end(entries),
                       [&](const std::string& own) { return variable_name(own) == variable_name(entry); });
  });
  env.insert(env.end(), std::begin(entries), std::end(entries));
}

std::string join_cpus(const std::vector<int>& cpus) {
  std::string text;
  for (const int cpu : cpus) text += (text.empty() ? "" : ",") + std::to_string(cpu);
  return text;
}
}  // namespace

Executor* Spawner::find_executor(uint64_t executor_id) {
  const auto found = executors_.find(executor_id);
  return found == executors_.end() ? nullptr : &found->second;
}

void Spawner::on_spawn_request(ucp_ep_h from, const wire::SpawnRequest& request) {
  libraries_.trim();  // between requests: no file of an earlier one is in use
  wire::SpawnReply reply;
  reply.request_id = request.request_id;
  if (request.kind == wire::SpawnKind::worker && request.library.empty() &&
      libraries_.find(library_key(request)) < 0) {
    reply.need_library = true;
    channel_->send(from, reply);
    return;
  }
  if (request.kind == wire::SpawnKind::program && !request.shipped.empty()) {
    try {
      // Only a lease holder may have files kept here.
      book_.verify(request.token, lease::now_unix_ms());
      shipped_.store(request.shipped, request.token.owner_uid);
      size_t received = 0, bytes = 0;
      for (const auto& file : request.shipped) {
        if (file.content.empty()) continue;
        ++received;
        bytes += file.content.size();
      }
      if (received > 0) {
        spdlog::info("lease {}: {} shipped files received ({} bytes)", request.token.lease_id, received, bytes);
      }
      reply.need_files = shipped_.missing(request.shipped, request.token.owner_uid);
    } catch (const Error& error) {
      spdlog::warn("refused a shipped program: {}", error.what());
      reply.status = error.code();
      reply.error = error.what();
    }
    if (reply.status != Errc::ok || !reply.need_files.empty()) {
      channel_->send(from, reply);
      return;
    }
  }
  if (winding_down_) {
    reply.status = Errc::unreachable;
    reply.error = "the spawner's node is being reclaimed";
    channel_->send(from, reply);
    return;
  }
  trace::phase("spawner: spawn request for lease " + std::to_string(request.token.lease_id));
  bool admitted = false;
  std::vector<int> cpus;
  try {
    book_.admit(request.token, request.cores, request.memory_mib, lease::now_unix_ms());
    admitted = true;
    const std::optional<ProcessIdentity> identity =
        executor_identity(request.token, static_cast<uint32_t>(::geteuid()), settings_.allow_root_owner);
    cpus = cpus_.take(request.cores);
    if (cpus.empty()) {
      throw Error(Errc::no_resources, "spawner " + settings_.id + " has " + std::to_string(cpus_.free_count()) +
                                          " free cores, " + std::to_string(request.cores) + " were asked");
    }
    schedule_expiry(request.token.lease_id);
    start_executor(from, request, cpus, identity);
  } catch (const Error& error) {
    if (admitted) book_.give_back(request.token.lease_id, request.cores, request.memory_mib);
    if (!cpus.empty()) cpus_.give_back(cpus);
    spdlog::warn("refused a spawn request: {}", error.what());
    reply.status = error.code();
    // What one node lacks (a program, a directory) others may have: say which node.
    reply.error =
        error.code() == Errc::not_found ? std::string(error.what()) + " on node " + settings_.node : error.what();
    channel_->send(from, reply);
  }
}

void Spawner::start_executor(ucp_ep_h from, const wire::SpawnRequest& request, std::vector<int> cpus,
                             const std::optional<ProcessIdentity>& identity) {
  Executor executor;
  executor.id = next_executor_id_++;
  executor.lease_id = request.token.lease_id;
  executor.request_id = request.request_id;
  executor.owner = from;
  executor.kind = request.kind;
  executor.memory_mib = request.memory_mib;
  executor.cpus = std::move(cpus);
  if (request.kind == wire::SpawnKind::worker) {
    int library_fd = libraries_.find(library_key(request));
    if (library_fd < 0) library_fd = libraries_.store(library_key(request), request.library_hash, request.library);
    executor.key = random_key();
    std::optional<WarmWorker> warm = identity ? std::nullopt : warm_pool_.take();
    if (warm && start_on_warm_worker(executor, *warm, request, library_fd)) return;
    StatusPipe status = make_status_pipe();
    executor.status_pipe = std::move(status.read);
    executor.process = Process::spawn(
        worker_spec(request, executor.cpus, executor.key, status.write.get(), library_fd, identity));
  } else {
    executor.process = Process::spawn(program_spec(request, executor.cpus, identity));
  }
  spdlog::info("executor {} of lease {} started as pid {} on cpus {}", executor.id, executor.lease_id,
               executor.process.pid(), join_cpus(executor.cpus));
  trace::phase("spawner: lease " + std::to_string(executor.lease_id) + " started pid " +
               std::to_string(executor.process.pid()) + " on cpus " + join_cpus(executor.cpus));
  Executor& stored = executors_.emplace(executor.id, std::move(executor)).first->second;
  watch_executor(stored);
  if (stored.kind == wire::SpawnKind::program) reply_spawned(stored, {});
}

bool Spawner::start_on_warm_worker(Executor& executor, WarmWorker& warm, const wire::SpawnRequest& request,
                                   int library_fd) {
  const pid_t pid = warm.process.pid();
  WarmStart start{executor.key, static_cast<unsigned>(executor.cpus.size()),
                  static_cast<ucx::WaitMode>(request.wait_mode), executor.cpus,
                  make_lease_directory(settings_.work_root, request.token.lease_id)};
  try {
    if (const LeaseCgroup* cgroup = lease_cgroup(request.token)) {
      const std::string text = std::to_string(pid);
      if (::write(cgroup->procs_fd(), text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
        throw_system_error("moving a warm ferry-worker into its lease's cgroup");
      }
    } else if (const uint64_t limit = memory_limit_bytes(request.memory_mib); limit > 0) {
      const rlimit data{limit, limit};
      if (::prlimit(pid, RLIMIT_DATA, &data, nullptr) != 0) throw_system_error("prlimit(RLIMIT_DATA)");
    }
    send_warm_start(warm.handover.get(), start, library_fd);
  } catch (const Error& error) {
    spdlog::warn("warm ferry-worker {} not used: {}", pid, error.what());
    return false;  // `warm` is killed with its Process
  }
  warm.process.count_usage_from_now();
  executor.process = std::move(warm.process);
  executor.status_pipe = std::move(warm.status_pipe);
  spdlog::info("executor {} of lease {} started on warm ferry-worker {} on cpus {}", executor.id, executor.lease_id,
               pid, join_cpus(executor.cpus));
  trace::phase("spawner: lease " + std::to_string(executor.lease_id) + " took warm worker " + std::to_string(pid));
  // The next one warms up while this one serves: a burst of requests finds it ready sooner.
  loop_.post([this] {
    if (!winding_down_) warm_pool_.fill();
  });
  watch_executor(executors_.emplace(executor.id, std::move(executor)).first->second);
  return true;
}

ProcessSpec Spawner::worker_spec(const wire::SpawnRequest& request, const std::vector<int>& cpus,
                                 const std::vector<std::byte>& key, int status_fd, int library_fd,
                                 const std::optional<ProcessIdentity>& identity) {
  if (settings_.worker_executable.empty() || ::access(settings_.worker_executable.c_str(), X_OK) != 0) {
    throw Error(Errc::not_found, "the function host ferry-worker was not found at '" +
                                     settings_.worker_executable + "'");
  }
  ProcessSpec spec;
  spec.argv = {settings_.worker_executable,
               "--library-fd", std::to_string(worker_library_fd),
               "--status-fd", std::to_string(worker_status_fd),
               "--threads", std::to_string(cpus.size()),
               "--mode", std::string(ucx::wait_mode_name(static_cast<ucx::WaitMode>(request.wait_mode)))};
  spec.env = environment_entries();
  spec.env.push_back("FERRY_EXECUTOR_KEY=" + to_hex(key));
  set_user_environment(spec.env, identity);
  spec.working_directory = make_lease_directory(settings_.work_root, request.token.lease_id, identity);
  spec.identity = identity;
  spec.cpus = cpus;
  limit_memory(spec, request);
  spec.inherit_fds = {{status_fd, worker_status_fd}, {library_fd, worker_library_fd}};
  return spec;
}

ProcessSpec Spawner::program_spec(const wire::SpawnRequest& request, const std::vector<int>& cpus,
                                  const std::optional<ProcessIdentity>& identity) {
  ProcessSpec spec;
  spec.argv = request.argv;
  spec.env = program_environment(request.env);
  set_user_environment(spec.env, identity);
  // The lease's private directory, for the program's scratch files (the shim keeps Open
  // MPI's session directory there), removed with the spawner's work root.
  const std::string lease_directory = make_lease_directory(settings_.work_root, request.token.lease_id, identity);
  spec.identity = identity;
  spec.env.push_back("FERRY_LEASE_DIRECTORY=" + lease_directory);
  // A shipped program's node may not have the directory it was started in either.
  struct stat info {};
  const bool directory_missing = ::stat(request.working_directory.c_str(), &info) != 0 || !S_ISDIR(info.st_mode);
  spec.working_directory = request.working_directory.empty() || (!request.shipped.empty() && directory_missing)
                               ? lease_directory
                               : program_directory(request.working_directory);
  if (!request.shipped.empty()) run_shipped_copies(spec, shipped_.stage(request.shipped, lease_directory, request.token.owner_uid));
  spec.cpus = cpus;
  limit_memory(spec, request);
  return spec;
}

const LeaseCgroup* Spawner::lease_cgroup(const lease::Token& token) {
  if (cgroups_.parent.empty()) return nullptr;
  auto& cgroup = lease_cgroups_[token.lease_id];
  if (!cgroup) {
    try {
      cgroup = std::make_unique<LeaseCgroup>(cgroups_, token.lease_id, token.memory_mib, token.cores,
                                             settings_.cpu_quota_percent);
    } catch (const Error&) {
      lease_cgroups_.erase(token.lease_id);
      throw;
    }
  }
  return cgroup.get();
}

void Spawner::limit_memory(ProcessSpec& spec, const wire::SpawnRequest& request) {
  if (const LeaseCgroup* cgroup = lease_cgroup(request.token)) {
    spec.cgroup_procs_fd = cgroup->procs_fd();
  } else {
    spec.memory_limit_bytes = memory_limit_bytes(request.memory_mib);
  }
}

void Spawner::watch_executor(Executor& executor) {
  const uint64_t id = executor.id;
  loop_.watch(executor.process.stdout_fd(), EPOLLIN, [this, id](uint32_t) { on_output(id, wire::Stream::out); });
  loop_.watch(executor.process.stderr_fd(), EPOLLIN, [this, id](uint32_t) { on_output(id, wire::Stream::err); });
  loop_.watch(executor.process.pidfd(), EPOLLIN, [this, id](uint32_t) { on_exit(id); });
  if (executor.status_pipe) {
    loop_.watch(executor.status_pipe.get(), EPOLLIN, [this, id](uint32_t) { on_status(id); });
  }
}

void Spawner::on_output(uint64_t executor_id, wire::Stream stream) {
  Executor* executor = find_executor(executor_id);
  if (executor == nullptr) return;
  const int fd = stream == wire::Stream::out ? executor->process.stdout_fd() : executor->process.stderr_fd();
  LineSplitter& splitter = stream == wire::Stream::out ? executor->stdout_lines : executor->stderr_lines;
  std::string chunk;
  const bool open = read_available(fd, chunk);
  std::string lines;
  for (const auto& line : splitter.feed(chunk)) lines += line;
  if (!open) {
    loop_.unwatch(fd);
    lines += splitter.flush();
  }
  forward_lines(*executor, stream, std::move(lines));
}

void Spawner::forward_lines(const Executor& executor, wire::Stream stream, std::string lines) {
  if (lines.empty() || executor.owner == nullptr) return;
  channel_->send(executor.owner, wire::ExecutorOutput{executor.id, stream, std::move(lines)});
}

void Spawner::on_status(uint64_t executor_id) {
  Executor* executor = find_executor(executor_id);
  if (executor == nullptr) return;
  const bool open = read_available(executor->status_pipe.get(), executor->status_text);
  for (auto newline = executor->status_text.find('\n'); newline != std::string::npos;
       newline = executor->status_text.find('\n')) {
    const std::string line = executor->status_text.substr(0, newline);
    executor->status_text.erase(0, newline + 1);
    if (line.rfind("ready ", 0) == 0) {
      const auto address = from_hex(line.substr(6));
      if (address && !address->empty()) {
        reply_spawned(*executor, *address);
        if (!winding_down_) warm_pool_.fill();
      } else {
        reply_failed(*executor, "the executor reported a malformed address");
      }
    } else if (line.rfind("error ", 0) == 0) {
      reply_failed(*executor, line.substr(6));
    } else if (line.rfind("usage ", 0) == 0) {
      executor->hot_poll_ns = std::strtoull(line.c_str() + 6, nullptr, 10);
    }
  }
  if (!open) {
    loop_.unwatch(executor->status_pipe.get());
    executor->status_pipe.reset();
  }
}

void Spawner::reply_spawned(Executor& executor, const std::vector<std::byte>& address) {
  if (executor.replied || executor.owner == nullptr) return;
  executor.replied = true;
  wire::SpawnReply reply;
  reply.request_id = executor.request_id;
  reply.executor_id = executor.id;
  reply.pid = executor.process.pid();
  reply.executor_address = address;
  reply.executor_key = executor.key;
  channel_->send(executor.owner, reply);
}

void Spawner::reply_failed(Executor& executor, const std::string& error) {
  if (executor.replied || executor.owner == nullptr) return;
  executor.replied = true;
  wire::SpawnReply reply;
  reply.request_id = executor.request_id;
  reply.status = Errc::not_found;
  reply.error = error;
  channel_->send(executor.owner, reply);
}

namespace {
bool ended_by_termination_signal(const ExitStatus& status) {
  for (const int signal : {SIGTERM, SIGKILL, SIGINT, SIGHUP}) {
    if (status.signal == signal || status.exit_code == 128 + signal) return true;
  }
  return false;
}
}  // namespace

bool Spawner::told_to_stop() const {
  if (stop_requested_.load()) return true;
  sigset_t pending;
  return ::sigpending(&pending) == 0 && (sigismember(&pending, SIGTERM) == 1 || sigismember(&pending, SIGINT) == 1);
}

// When Slurm (or a shutdown) reclaims the node it signals every process of the spawner's
// job, so an executor may die of that SIGTERM before the spawner has read its own: an
// executor ended by such a signal for no reason the spawner gave is reported a moment
// later, with the reclaim reason once the spawner has been told to stop.
void Spawner::on_exit(uint64_t executor_id) {
  Executor* executor = find_executor(executor_id);
  ExitStatus status{};
  if (executor == nullptr || !executor->process.try_reap(status)) return;
  loop_.unwatch(executor->process.pidfd());
  const bool unexplained = executor->end_reason.empty() && ended_by_termination_signal(status);
  auto report = [this, executor_id, status, unexplained] {
    Executor* exited = find_executor(executor_id);
    if (exited == nullptr) return;
    if (unexplained && exited->end_reason.empty() && told_to_stop()) exited->end_reason = settings_.reclaim_reason;
    report_exit(*exited, status);
  };
  if (unexplained && !told_to_stop()) {
    loop_.after(std::chrono::milliseconds(200), report);
  } else {
    report();
  }
}

void Spawner::report_exit(Executor& executor, const ExitStatus& status) {
  const uint64_t executor_id = executor.id;
  on_output(executor_id, wire::Stream::out);
  on_output(executor_id, wire::Stream::err);
  if (executor.status_pipe) on_status(executor_id);
  if (!executor.replied) {
    reply_failed(executor, "the executor exited before it was ready (exit code " +
                                std::to_string(status.exit_code) + ", signal " + std::to_string(status.signal) + ")");
  }
  const wire::Usage usage{status.wall_ns, status.cpu_ns, executor.hot_poll_ns, status.peak_memory_kib};
  if (executor.owner != nullptr) {
    channel_->send(executor.owner,
                   wire::ExecutorExit{executor.id, status.exit_code, status.signal, executor.end_reason, usage});
  }
  report_usage(executor.lease_id, executor.id, usage);
  spdlog::info("executor {} exited (code {}, signal {}){}", executor.id, status.exit_code, status.signal,
               executor.end_reason.empty() ? "" : ": " + executor.end_reason);
  loop_.unwatch(executor.process.stdout_fd());
  loop_.unwatch(executor.process.stderr_fd());
  if (executor.kill_timer != 0) loop_.cancel(executor.kill_timer);
  cpus_.give_back(executor.cpus);
  book_.give_back(executor.lease_id, static_cast<uint32_t>(executor.cpus.size()), executor.memory_mib);
  const uint64_t lease_id = executor.lease_id;
  executors_.erase(executor_id);
  remove_directory_if_done(lease_id);
  // The owners' last messages need a moment on the wire before the spawner goes.
  if (winding_down_ && executors_.empty()) loop_.after(std::chrono::milliseconds(100), [this] { loop_.stop(); });
}

void Spawner::wind_down() {
  stop_requested_ = true;
  loop_.post([this] { end_all_executors(); });
}

void Spawner::end_all_executors() {
  if (winding_down_) return;
  winding_down_ = true;
  warm_pool_.clear();
  const std::string& reason = settings_.reclaim_reason;
  const bool telling_manager = manager_ && !manager_->failed();
  if (telling_manager) channel_->send(manager_->raw(), wire::SpawnerLeaving{settings_.id, reason});
  if (executors_.empty()) {
    // The message to the manager needs a moment on the wire before the spawner goes.
    if (telling_manager) {
      loop_.after(std::chrono::milliseconds(100), [this] { loop_.stop(); });
    } else {
      loop_.stop();
    }
    return;
  }
  spdlog::warn("{}; ending {} executors", reason, executors_.size());
  for (auto& [id, executor] : executors_) terminate(executor, reason);
  loop_.after(settings_.grace + std::chrono::seconds(1), [this] { loop_.stop(); });
}

void Spawner::terminate(Executor& executor, const std::string& reason) {
  if (executor.kill_timer != 0) return;
  executor.end_reason = reason;
  spdlog::info("ending executor {}: {}", executor.id, reason);
  executor.process.signal_group(SIGTERM);
  const uint64_t id = executor.id;
  executor.kill_timer = loop_.after(settings_.grace, [this, id] {
    if (Executor* late = find_executor(id)) late->process.signal_group(SIGKILL);
  });
}

}  // namespace ferry::spawner
