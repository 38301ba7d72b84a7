#include "spawner/worker/invocation_thread.hpp"

#include <pthread.h>
#include <sched.h>

#include <cstring>
#include <new>

#include "runtime/common/log.hpp"
#include "runtime/ucx/request.hpp"

namespace ferry::worker {

InvocationThread::InvocationThread(std::shared_ptr<ucx::Context> context,
                                   const std::atomic<const FunctionTable*>& functions)
    : worker_(ucx::Worker::create(std::move(context))), functions_(functions) {
  queue_.reserve(64);
  worker_->set_am_handler(wire::am_invoke, [this](const ucx::AmMessage& message) { return on_invoke(message); });
}

InvocationThread::~InvocationThread() { stop(); }

void InvocationThread::start(ucx::WaitMode mode, int cpu) {
  mode_ = mode;
  cpu_ = cpu;
  thread_ = std::thread([this] { serve(); });
}

void InvocationThread::stop() {
  stopping_ = true;
  ucp_worker_signal(worker_->raw());
  if (thread_.joinable()) thread_.join();
}

ucs_status_t InvocationThread::on_invoke(const ucx::AmMessage& message) {
  const auto header = wire::read_header<wire::InvokeHeader>(message.header);
  if (!header || message.reply_ep == nullptr) {
    spdlog::warn("dropped a malformed invocation ({} header bytes)", message.header.size());
    return UCS_OK;
  }
  Pending pending{*header, message.length, message.reply_ep, nullptr, {}};
  try {
    pending.buffer = take_buffer(message.length);
  } catch (const std::bad_alloc&) {
    // The input is dropped (UCX completes a rendezvous nobody receives) and the caller
    // told why, rather than the executor dying in a UCX callback.
    spdlog::warn("no memory for an input of {} bytes", message.length);
    pending.refusal = wire::result_no_memory;
    queue_.push_back(std::move(pending));
    return UCS_OK;
  }
  if (!message.is_rendezvous) {
    if (message.length > 0) std::memcpy(pending.buffer.data(), message.data, message.length);
    queue_.push_back(std::move(pending));
    return UCS_OK;
  }
  // Rendezvous input is fetched straight into the invocation's buffer.
  ucp_request_param_t param{};
  pending.receive = ucp_am_recv_data_nbx(worker_->raw(), message.data, pending.buffer.data(), message.length, &param);
  queue_.push_back(std::move(pending));
  return UCS_OK;
}

ScratchBuffer InvocationThread::take_buffer(size_t length) {
  ScratchBuffer buffer;
  if (!spare_buffers_.empty()) {
    buffer = std::move(spare_buffers_.back());
    spare_buffers_.pop_back();
  }
  buffer.prepare(length);
  return buffer;
}

void InvocationThread::serve() {
  if (cpu_ >= 0) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu_, &set);
    ::pthread_setaffinity_np(::pthread_self(), sizeof set, &set);
  }
  ucx::Waiter waiter(*worker_, mode_);
  waiter.count_busy_polling();
  while (!stopping_) {
    waiter.wait_until([this] { return head_ < queue_.size() || stopping_; });
    while (head_ < queue_.size() && !stopping_) {
      Pending pending = std::move(queue_[head_++]);
      execute(pending, waiter);
      spare_buffers_.push_back(std::move(pending.buffer));
    }
    if (head_ == queue_.size()) {
      queue_.clear();
      head_ = 0;
    }
    busy_poll_ns_ = waiter.busy_poll_ns();
  }
}

void InvocationThread::execute(Pending& pending, ucx::Waiter& waiter) {
  if (pending.refusal != 0) {
    reply(pending.reply_ep, pending.header.invocation_id, pending.refusal, nullptr, 0, waiter);
    return;
  }
  if (pending.receive != nullptr) {
    const ucs_status_t status = ucx::wait_request(pending.receive, waiter, stopping_);
    if (status != UCS_OK) {
      reply(pending.reply_ep, pending.header.invocation_id, wire::result_bad_request, nullptr, 0, waiter);
      return;
    }
  }
  const void* input = pending.buffer.data();
  const FunctionTable* functions = functions_.load(std::memory_order_acquire);
  int64_t result = wire::result_bad_function;
  const uint64_t capacity = pending.header.output_capacity;
  if (functions != nullptr && pending.header.function_index < functions->size()) {
    try {
      output_.prepare(capacity);
    } catch (const std::bad_alloc&) {
      spdlog::warn("no memory for an output capacity of {} bytes", capacity);
      reply(pending.reply_ep, pending.header.invocation_id, wire::result_no_memory, nullptr, 0, waiter);
      return;
    }
    result = (*functions)[pending.header.function_index](input, pending.length, output_.data(), capacity);
    if (result > static_cast<int64_t>(capacity)) result = wire::result_output_overflow;
  }
  const size_t length = result > 0 ? static_cast<size_t>(result) : 0;
  reply(pending.reply_ep, pending.header.invocation_id, result, output_.data(), length, waiter);
}

void InvocationThread::reply(ucp_ep_h endpoint, uint64_t invocation_id, int64_t result, const void* data,
                             size_t length, ucx::Waiter& waiter) {
  const wire::ResultHeader header{invocation_id, result};
  const auto bytes = wire::header_bytes(header);
  ucp_request_param_t param{};
  const ucs_status_ptr_t request =
      ucp_am_send_nbx(endpoint, wire::am_result, bytes.data(), bytes.size(), data, length, &param);
  const ucs_status_t status = ucx::wait_request(request, waiter, stopping_);
  if (status != UCS_OK) spdlog::debug("result of invocation {} not delivered: {}", invocation_id, ucs_status_string(status));
}

}  // namespace ferry::worker
