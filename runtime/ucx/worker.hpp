#pragma once

#include <ucp/api/ucp.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <unordered_map>
#include <vector>

#include "runtime/ucx/context.hpp"

namespace ferry::ucx {

/// What an active-message handler receives. `data` is valid only during the call
/// unless `is_rendezvous`, in which case it must be fetched with Worker::receive_am_data.
struct AmMessage {
  std::span<const std::byte> header;
  void* data;
  size_t length;
  bool is_rendezvous;
  ucp_ep_h reply_ep;
};

/// Handler of one active-message id; returns UCS_OK, or UCS_INPROGRESS to keep `data`.
using AmHandler = std::function<ucs_status_t(const AmMessage&)>;

/// Owns a ucp_worker. Single-threaded unless created with `multi_threaded`.
class Worker : public std::enable_shared_from_this<Worker> {
 public:
  static std::shared_ptr<Worker> create(std::shared_ptr<Context> context, bool multi_threaded = false);

  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;
  ~Worker();

  /// Runs one round of progress; returns true when something happened.
  bool progress() noexcept { return ucp_worker_progress(handle_) != 0; }
  /// Wakes the thread that sleeps on the event fd; callable from any thread.
  void signal() noexcept { ucp_worker_signal(handle_); }
  /// Arms the event fd; returns false when events are pending (progress again first).
  bool arm();
  /// File descriptor that becomes readable when the worker has events, once armed.
  int event_fd() const noexcept { return event_fd_; }
  /// This worker's address, for peers that connect by address.
  std::vector<std::byte> address() const;

  /// Installs (or replaces) the handler for active-message id `id`.
  void set_am_handler(uint16_t id, AmHandler handler);

  ucp_worker_h raw() const noexcept { return handle_; }
  const std::shared_ptr<Context>& context() const noexcept { return context_; }

 private:
  Worker(std::shared_ptr<Context> context, ucp_worker_h handle);
  static ucs_status_t dispatch_am(void* arg, const void* header, size_t header_length, void* data,
                                  size_t length, const ucp_am_recv_param_t* param);

  std::shared_ptr<Context> context_;
  ucp_worker_h handle_;
  int event_fd_ = -1;
  std::unordered_map<uint16_t, std::unique_ptr<AmHandler>> am_handlers_;
};

}  // namespace ferry::ucx
