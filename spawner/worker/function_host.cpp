#include "spawner/worker/function_host.hpp"

#include <openssl/crypto.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "runtime/common/cpus.hpp"
#include "runtime/common/hex.hpp"
#include "runtime/common/log.hpp"
#include "runtime/common/overloaded.hpp"
#include "runtime/common/trace.hpp"
#include "spawner/process/warm_start.hpp"

namespace ferry::worker {

namespace {

// SIGTERM becomes an event of the loop; blocked before any thread starts, so every
// thread inherits the mask.
UniqueFd block_termination_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  ::pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  UniqueFd fd(::signalfd(-1, &signals, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!fd) throw_system_error("signalfd");
  return fd;
}
}  // namespace

FunctionHost::FunctionHost(Settings settings)
    : settings_(std::move(settings)),
      signal_fd_(block_termination_signals()),
      context_(ucx::Context::create(true)),
      worker_(ucx::Worker::create(context_)) {
  if (settings_.warm_fd < 0) {
    library_.emplace(settings_.library_fd);
    cpus_ = allowed_cpus();
  }
  // A warm worker makes its first thread's UCX worker ahead too: most leases have one core.
  make_threads();
  channel_ = std::make_unique<wire::ControlChannel>(worker_, [this](ucp_ep_h from, wire::Message&& message) {
    std::visit(Overloaded{[&](const wire::ExecutorHello& hello) { on_hello(from, hello); },
                          [&](const auto& other) {
                            spdlog::warn("ferry-worker: unexpected {} ignored", wire::message_name(other));
                          }},
               message);
  });
  loop_.attach(*worker_, [this] { return channel_->dispatch() > 0; });
  loop_.watch(signal_fd_.get(), EPOLLIN, [this](uint32_t) { loop_.stop(); });
}

FunctionHost::~FunctionHost() {
  for (auto& thread : threads_) thread->stop();
  channel_.reset();
}

void FunctionHost::make_threads() {
  while (threads_.size() < settings_.threads) {
    threads_.push_back(std::make_unique<InvocationThread>(context_, published_));
  }
}

bool FunctionHost::await_warm_start() {
  pollfd waits[2] = {{settings_.warm_fd, POLLIN, 0}, {signal_fd_.get(), POLLIN, 0}};
  for (;;) {
    if (::poll(waits, 2, -1) < 0) {
      if (errno == EINTR) continue;
      throw_system_error("poll");
    }
    if (waits[1].revents != 0) return false;
    if (waits[0].revents != 0) break;
  }
  auto received = spawner::receive_warm_start(settings_.warm_fd);
  ::close(std::exchange(settings_.warm_fd, -1));
  if (!received) return false;
  trace::phase("ferry-worker: executor handed over");
  const spawner::WarmStart& start = received->start;
  if (::chdir(start.working_directory.c_str()) != 0) throw_system_error("chdir to the lease directory");
  if (!start.cpus.empty()) pin_every_thread(start.cpus);
  library_.emplace(received->library.get());
  settings_.key = start.key;
  settings_.threads = start.threads;
  settings_.mode = start.mode;
  cpus_ = start.cpus;
  make_threads();
  return true;
}

void FunctionHost::report(const std::string& line) {
  const std::string text = line + "\n";
  [[maybe_unused]] const auto written = ::write(settings_.status_fd, text.data(), text.size());
}

void FunctionHost::run() {
  for (size_t i = 0; i < threads_.size(); ++i) {
    threads_[i]->start(settings_.mode, cpus_.empty() ? -1 : cpus_[i % cpus_.size()]);
  }
  report("ready " + to_hex(worker_->address()));
  trace::phase("ferry-worker: ready");
  loop_.run();
  uint64_t busy_poll_ns = 0;
  for (auto& thread : threads_) {
    thread->stop();
    busy_poll_ns += thread->busy_poll_ns();
  }
  report("usage " + std::to_string(busy_poll_ns));
}

void FunctionHost::on_hello(ucp_ep_h from, const wire::ExecutorHello& hello) {
  wire::ExecutorWelcome reply;
  try {
    reply = welcome(hello);
  } catch (const Error& error) {
    reply.status = error.code();
    reply.error = error.what();
  }
  channel_->send(from, reply);
}

wire::ExecutorWelcome FunctionHost::welcome(const wire::ExecutorHello& hello) {
  if (hello.key.size() != settings_.key.size() ||
      CRYPTO_memcmp(hello.key.data(), settings_.key.data(), settings_.key.size()) != 0) {
    throw Error(Errc::unauthorized, "wrong executor key");
  }
  if (published_.load() != nullptr) throw Error(Errc::invalid_argument, "the executor is already in use");
  FunctionTable resolved;
  for (const auto& name : hello.functions) resolved.push_back(library_->resolve(name));
  table_ = std::move(resolved);
  published_.store(&table_, std::memory_order_release);
  wire::ExecutorWelcome reply;
  for (const auto& thread : threads_) reply.thread_addresses.push_back(thread->address());
  return reply;
}

}  // namespace ferry::worker
