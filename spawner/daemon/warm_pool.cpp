#include "spawner/daemon/warm_pool.hpp"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>

#include "runtime/common/environment.hpp"
#include "runtime/common/error.hpp"
#include "runtime/common/log.hpp"
#include "spawner/daemon/status_pipe.hpp"

namespace ferry::spawner {

namespace {
constexpr int worker_handover_fd = 4;
}  // namespace

WarmPool::WarmPool(EventLoop& loop, std::string worker_executable, unsigned size)
    : loop_(loop), executable_(std::move(worker_executable)), size_(size) {}

WarmPool::~WarmPool() { clear(); }

void WarmPool::fill() {
  if (executable_.empty() || ::access(executable_.c_str(), X_OK) != 0) return;
  try {
    while (waiting_.size() < size_) start_one();
  } catch (const Error& error) {
    spdlog::warn("no warm ferry-worker: {}", error.what());
  }
}

void WarmPool::start_one() {
  StatusPipe status = make_status_pipe();
  std::array<int, 2> sockets{};
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sockets.data()) != 0) throw_system_error("socketpair");
  UniqueFd handover(sockets[0]);
  UniqueFd worker_end(sockets[1]);
  ProcessSpec spec;
  spec.argv = {executable_, "--warm-fd", std::to_string(worker_handover_fd), "--status-fd",
               std::to_string(worker_status_fd)};
  spec.env = environment_entries();
  spec.inherit_fds = {{status.write.get(), worker_status_fd}, {worker_end.get(), worker_handover_fd}};
  WarmWorker worker{Process::spawn(spec), std::move(handover), std::move(status.read)};
  const pid_t pid = worker.process.pid();
  // Until it is handed over a waiting worker says nothing; output or an exit means it failed.
  loop_.watch(worker.process.pidfd(), EPOLLIN, [this, pid](uint32_t) { on_exit(pid); });
  waiting_.emplace(pid, std::move(worker));
  spdlog::debug("warm ferry-worker started as pid {}", pid);
}

std::optional<WarmWorker> WarmPool::take() {
  if (waiting_.empty()) return std::nullopt;
  auto first = waiting_.begin();
  WarmWorker worker = std::move(first->second);
  waiting_.erase(first);
  unwatch(worker);
  return worker;
}

void WarmPool::clear() {
  for (auto& [pid, worker] : waiting_) unwatch(worker);
  waiting_.clear();
}

void WarmPool::unwatch(const WarmWorker& worker) { loop_.unwatch(worker.process.pidfd()); }

void WarmPool::on_exit(pid_t pid) {
  const auto found = waiting_.find(pid);
  if (found == waiting_.end()) return;
  ExitStatus status{};
  if (!found->second.process.try_reap(status)) return;
  unwatch(found->second);
  std::string said;
  read_available(found->second.status_pipe.get(), said);
  read_available(found->second.process.stderr_fd(), said);
  spdlog::warn("a warm ferry-worker (pid {}) exited while waiting (code {}, signal {}){}", pid, status.exit_code,
               status.signal, said.empty() ? "" : ": " + said);
  waiting_.erase(found);
}

}  // namespace ferry::spawner
