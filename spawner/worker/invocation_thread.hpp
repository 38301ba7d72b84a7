#pragma once
// One invocation thread of an executor: its own UCX worker (so threads never contend),
// pinned to one leased core, running each invocation it receives and replying to it.

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "runtime/common/scratch_buffer.hpp"
#include "runtime/ucx/waiter.hpp"
#include "runtime/ucx/worker.hpp"
#include "runtime/wire/invocation.hpp"
#include "runtime/wire/messages.hpp"
#include "spawner/worker/function_library.hpp"

namespace ferry::worker {

/// The functions a client asked for, by index; published once, read by every thread.
using FunctionTable = std::vector<Function>;

class InvocationThread {
 public:
  /// Makes the thread's UCX worker; the thread itself starts with start().
  InvocationThread(std::shared_ptr<ucx::Context> context, const std::atomic<const FunctionTable*>& functions);
  InvocationThread(const InvocationThread&) = delete;
  InvocationThread& operator=(const InvocationThread&) = delete;
  ~InvocationThread();

  std::vector<std::byte> address() const { return worker_->address(); }
  /// Starts serving in `mode`, pinned to `cpu` (-1: not pinned).
  void start(ucx::WaitMode mode, int cpu);
  /// Asks the thread to finish and joins it.
  void stop();
  uint64_t busy_poll_ns() const noexcept { return busy_poll_ns_.load(); }

 private:
  struct Pending {
    wire::InvokeHeader header;
    size_t length;
    ucp_ep_h reply_ep;
    ucs_status_ptr_t receive;       // rendezvous input still arriving into `buffer`
    ScratchBuffer buffer;           // the input, from a pool of reused buffers
    int64_t refusal = 0;            // a worker result code to reply with instead of running
  };
  ScratchBuffer take_buffer(size_t length);
  void serve();
  ucs_status_t on_invoke(const ucx::AmMessage& message);
  void execute(Pending& pending, ucx::Waiter& waiter);
  void reply(ucp_ep_h endpoint, uint64_t invocation_id, int64_t result, const void* data, size_t length,
             ucx::Waiter& waiter);

  std::shared_ptr<ucx::Worker> worker_;
  ucx::WaitMode mode_ = ucx::WaitMode::hot;
  int cpu_ = -1;
  const std::atomic<const FunctionTable*>& functions_;
  std::vector<Pending> queue_;  // FIFO; index head_ is next
  size_t head_ = 0;
  std::vector<ScratchBuffer> spare_buffers_;  // reused input buffers
  ScratchBuffer output_;
  // Also ends waits on transfers: a client that died on an endpoint without peer-failure
  // tracking (see the client's connect_executor) would never complete them.
  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> busy_poll_ns_{0};
  std::thread thread_;
};

}  // namespace ferry::worker
