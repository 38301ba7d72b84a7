#include "spawner/worker/function_host.hpp"

#include <openssl/crypto.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "runtime/common/cpus.hpp"
#include "runtime/common/hex.hpp"
#include "runtime/common/log.hpp"
#include "runtime/common/overloaded.hpp"

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
      library_(settings_.library_fd),
      signal_fd_(block_termination_signals()),
      context_(ucx::Context::create(true)),
      worker_(ucx::Worker::create(context_)) {
  const std::vector<int> cpus = allowed_cpus();
  for (unsigned i = 0; i < settings_.threads; ++i) {
    const int cpu = cpus.empty() ? -1 : cpus[i % cpus.size()];
    threads_.push_back(std::make_unique<InvocationThread>(context_, settings_.mode, cpu, published_));
  }
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

void FunctionHost::report(const std::string& line) {
  const std::string text = line + "\n";
  [[maybe_unused]] const auto written = ::write(settings_.status_fd, text.data(), text.size());
}

void FunctionHost::run() {
  for (auto& thread : threads_) thread->start();
  report("ready " + to_hex(worker_->address()));
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
  for (const auto& name : hello.functions) resolved.push_back(library_.resolve(name));
  table_ = std::move(resolved);
  published_.store(&table_, std::memory_order_release);
  wire::ExecutorWelcome reply;
  for (const auto& thread : threads_) reply.thread_addresses.push_back(thread->address());
  return reply;
}

}  // namespace ferry::worker
