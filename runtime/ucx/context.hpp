#pragma once

#include <ucp/api/ucp.h>

#include <memory>

namespace ferry::ucx {

/// Owns a ucp_context. Every worker keeps its context alive.
class Context : public std::enable_shared_from_this<Context> {
 public:
  /// Creates a context with active messages, tags, RMA and wakeup support.
  /// `multi_threaded_workers` allows several threads to use workers of this context.
  /// Without `shared_memory` (daemons whose peers may be other users, who cannot map
  /// each other's shared memory) the shared-memory transports are left out, unless the
  /// user chose the transports (UCX_TLS).
  static std::shared_ptr<Context> create(bool multi_threaded_workers = false, bool shared_memory = true);

  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;
  ~Context();

  ucp_context_h raw() const noexcept { return handle_; }

 private:
  explicit Context(ucp_context_h handle) : handle_(handle) {}
  ucp_context_h handle_;
};

}  // namespace ferry::ucx
