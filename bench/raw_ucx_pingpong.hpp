#pragma once
// The baseline every invocation figure is compared to: a plain UCX tag ping-pong between
// this process and a child process, over endpoints made from exchanged worker addresses
// (the same way a client reaches an executor's threads), in the same waiting mode, with the
// echo process pinned where an executor would be. The echo copies its input into a separate
// reply buffer, the work of the `echo` function an executor runs, so that a ratio measures
// Ferry's machinery and not the function.

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <vector>

#include "runtime/ucx/endpoint.hpp"
#include "runtime/ucx/waiter.hpp"

namespace ferry::bench {

class RawPingPong {
 public:
  /// Forks the echoing child; call before this process starts any other UCX work.
  RawPingPong(ucx::WaitMode mode, size_t max_size);
  RawPingPong(const RawPingPong&) = delete;
  RawPingPong& operator=(const RawPingPong&) = delete;
  ~RawPingPong();

  /// Round-trip times of `iterations` ping-pongs of `size` bytes each way.
  std::vector<std::chrono::nanoseconds> measure(size_t size, size_t iterations);

 private:
  void ping_pong(size_t size);

  pid_t child_ = -1;
  std::shared_ptr<ucx::Context> context_;
  std::shared_ptr<ucx::Worker> worker_;
  std::unique_ptr<ucx::Endpoint> endpoint_;
  std::unique_ptr<ucx::Waiter> waiter_;
  std::vector<std::byte> send_buffer_;
  std::vector<std::byte> receive_buffer_;
};

}  // namespace ferry::bench
