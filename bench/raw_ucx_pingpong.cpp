#include "bench/raw_ucx_pingpong.hpp"

#include <sched.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <csignal>
#include <cstring>

#include "runtime/common/cpus.hpp"
#include "runtime/common/error.hpp"
#include "runtime/ucx/request.hpp"
#include "runtime/ucx/status.hpp"

namespace ferry::bench {

namespace {
constexpr ucp_tag_t ping_tag = 1;
constexpr ucp_tag_t stop_tag = 2;
constexpr ucp_tag_t pause_tag = 3;  // between measurements the child sleeps, so it takes no core

void write_blob(int fd, const std::vector<std::byte>& blob) {
  const uint64_t size = blob.size();
  if (::write(fd, &size, sizeof size) != sizeof size ||
      ::write(fd, blob.data(), blob.size()) != static_cast<ssize_t>(blob.size())) {
    throw_system_error("writing a worker address");
  }
}

std::vector<std::byte> read_blob(int fd) {
  uint64_t size = 0;
  if (::read(fd, &size, sizeof size) != sizeof size) throw_system_error("reading a worker address");
  std::vector<std::byte> blob(size);
  size_t done = 0;
  while (done < size) {
    const ssize_t n = ::read(fd, blob.data() + done, size - done);
    if (n <= 0) throw_system_error("reading a worker address");
    done += static_cast<size_t>(n);
  }
  return blob;
}

// Receives one message into `buffer`; returns its tag and sets `length`.
ucp_tag_t receive(ucx::Worker& worker, ucx::Waiter& waiter, std::vector<std::byte>& buffer, size_t& length) {
  ucp_tag_recv_info_t info{};
  ucp_request_param_t param{};
  param.op_attr_mask = UCP_OP_ATTR_FIELD_RECV_INFO;
  param.recv_info.tag_info = &info;
  ucs_status_ptr_t request = ucp_tag_recv_nbx(worker.raw(), buffer.data(), buffer.size(), 0, 0, &param);
  if (request != nullptr && !UCS_PTR_IS_ERR(request)) {
    waiter.wait_until([&] { return ucp_tag_recv_request_test(request, &info) != UCS_INPROGRESS; });
    ucp_request_free(request);
  } else if (UCS_PTR_IS_ERR(request)) {
    ucx::raise(UCS_PTR_STATUS(request), "ucp_tag_recv_nbx");
  }
  length = info.length;
  return info.sender_tag;
}

/// Pins this process to the last CPU it may use, where the single-machine default's spawner
/// pins an executor (it leases from the top); unpinned, the echo process and its peer
/// sometimes shared a CPU and the figures were bimodal (0.4 against 5-7 us at 8 B, hot).
void pin_like_an_executor() {
  const std::vector<int> cpus = allowed_cpus();
  if (cpus.size() < 2) return;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpus.back(), &set);
  ::sched_setaffinity(0, sizeof set, &set);
}

[[noreturn]] void serve_echo(int to_parent, int from_parent, ucx::WaitMode mode, size_t max_size) {
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  pin_like_an_executor();
  int code = 0;
  try {
    auto context = ucx::Context::create();
    auto worker = ucx::Worker::create(context);
    write_blob(to_parent, worker->address());
    auto endpoint = ucx::Endpoint::connect_to_worker(worker, read_blob(from_parent));
    ucx::Waiter measuring(*worker, mode);
    ucx::Waiter pausing(*worker, ucx::WaitMode::warm);
    ucx::Waiter* waiter = &pausing;
    std::vector<std::byte> input(max_size);
    std::vector<std::byte> output(max_size);
    size_t length = 0;
    for (ucp_tag_t tag = receive(*worker, *waiter, input, length); tag != stop_tag;
         tag = receive(*worker, *waiter, input, length)) {
      waiter = tag == pause_tag ? &pausing : &measuring;
      if (tag != ping_tag) continue;
      // What the `echo` function does in an executor, whose input and output are separate
      // buffers: without it, 1 MiB figures compared Ferry plus a 40 us copy to no copy.
      if (length > 0) std::memcpy(output.data(), input.data(), length);
      ucx::complete(endpoint->send_tag(ping_tag, output.data(), length), *waiter, "echo");
    }
  } catch (const std::exception&) {
    code = 1;
  }
  ::_exit(code);
}
}  // namespace

RawPingPong::RawPingPong(ucx::WaitMode mode, size_t max_size)
    : send_buffer_(max_size, std::byte{0x5a}), receive_buffer_(max_size) {
  std::array<int, 2> up{};
  std::array<int, 2> down{};
  if (::pipe(up.data()) != 0 || ::pipe(down.data()) != 0) throw_system_error("pipe");
  child_ = ::fork();
  if (child_ < 0) throw_system_error("fork");
  if (child_ == 0) serve_echo(up[1], down[0], mode, max_size);
  ::close(up[1]);
  ::close(down[0]);
  context_ = ucx::Context::create();
  worker_ = ucx::Worker::create(context_);
  endpoint_ = ucx::Endpoint::connect_to_worker(worker_, read_blob(up[0]));
  write_blob(down[1], worker_->address());
  ::close(up[0]);
  ::close(down[1]);
  waiter_ = std::make_unique<ucx::Waiter>(*worker_, mode);
}

RawPingPong::~RawPingPong() {
  if (endpoint_) ucx::wait_request(endpoint_->send_tag(stop_tag, nullptr, 0), *waiter_);
  endpoint_.reset();
  int status = 0;
  if (child_ > 0) ::waitpid(child_, &status, 0);
}

void RawPingPong::ping_pong(size_t size) {
  ucs_status_ptr_t send = endpoint_->send_tag(ping_tag, send_buffer_.data(), size);
  size_t length = 0;
  receive(*worker_, *waiter_, receive_buffer_, length);
  ucx::complete(send, *waiter_, "ping");
  if (length != size) throw Error(Errc::protocol, "ping-pong returned a different size");
}

std::vector<std::chrono::nanoseconds> RawPingPong::measure(size_t size, size_t iterations) {
  for (size_t i = 0; i < iterations / 10 + 1; ++i) ping_pong(size);
  std::vector<std::chrono::nanoseconds> samples;
  samples.reserve(iterations);
  for (size_t i = 0; i < iterations; ++i) {
    const auto started = std::chrono::steady_clock::now();
    ping_pong(size);
    samples.push_back(std::chrono::steady_clock::now() - started);
  }
  ucx::complete(endpoint_->send_tag(pause_tag, nullptr, 0), *waiter_, "pause");
  return samples;
}

}  // namespace ferry::bench
