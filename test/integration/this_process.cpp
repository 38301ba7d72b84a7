#include "test/integration/this_process.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <stdexcept>

namespace ferry::test {

// ---------------------------------------------------------------- Capture

Capture::Capture(int fd) : fd_(fd) {
  std::fflush(nullptr);
  std::array<int, 2> pipe{};
  if (::pipe2(pipe.data(), O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
  ::fcntl(pipe[0], F_SETFL, O_NONBLOCK);
  read_ = pipe[0];
  saved_ = ::dup(fd_);
  ::dup2(pipe[1], fd_);
  ::close(pipe[1]);
}

Capture::~Capture() {
  restore();
  ::close(read_);
}

std::string Capture::finish() {
  restore();
  std::string text;
  std::array<char, 4096> buffer{};
  for (ssize_t n = 0; (n = ::read(read_, buffer.data(), buffer.size())) > 0;) {
    text.append(buffer.data(), static_cast<size_t>(n));
  }
  return text;
}

void Capture::restore() {
  if (saved_ < 0) return;
  std::fflush(nullptr);
  ::dup2(saved_, fd_);
  ::close(saved_);
  saved_ = -1;
}

// ---------------------------------------------------------------- ThreadPause

namespace {
// A signal handler captures nothing: the pause length lives here.
std::atomic<int64_t> pause_ns{0};

void pause_handler(int) {
  const int64_t ns = pause_ns.load();
  timespec left{static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
  const int saved_errno = errno;
  while (::nanosleep(&left, &left) != 0 && errno == EINTR) {
  }
  errno = saved_errno;
}
}  // namespace

ThreadPause::ThreadPause(std::chrono::microseconds after, std::chrono::milliseconds length) {
  pause_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(length).count();
  struct sigaction action {};
  action.sa_handler = pause_handler;
  sigemptyset(&action.sa_mask);
  ::sigaction(SIGUSR2, &action, &previous_);
  const pthread_t target = ::pthread_self();
  signaller_ = std::thread([target, after] {
    std::this_thread::sleep_for(after);
    ::pthread_kill(target, SIGUSR2);
  });
}

ThreadPause::~ThreadPause() {
  signaller_.join();
  ::sigaction(SIGUSR2, &previous_, nullptr);
}

// ---------------------------------------------------------------- ScopedEnvironment

ScopedEnvironment::ScopedEnvironment(const std::vector<std::pair<std::string, std::string>>& values) {
  for (const auto& [name, value] : values) {
    const char* old = std::getenv(name.c_str());
    previous_.emplace_back(name, old != nullptr ? std::optional<std::string>(old) : std::nullopt);
    ::setenv(name.c_str(), value.c_str(), 1);
  }
}

ScopedEnvironment::~ScopedEnvironment() {
  for (const auto& [name, value] : previous_) {
    if (value) {
      ::setenv(name.c_str(), value->c_str(), 1);
    } else {
      ::unsetenv(name.c_str());
    }
  }
}

}  // namespace ferry::test
