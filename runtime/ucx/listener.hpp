#pragma once

#include <ucp/api/ucp.h>

#include <functional>
#include <memory>

#include "runtime/ucx/socket_address.hpp"
#include "runtime/ucx/worker.hpp"

namespace ferry::ucx {

/// Owns a ucp_listener on a TCP socket address; hands each connection request to a callback
/// (which accepts it with Endpoint::accept or rejects it with reject()).
class Listener {
 public:
  using ConnectHandler = std::function<void(ucp_conn_request_h)>;

  static std::unique_ptr<Listener> create(std::shared_ptr<Worker> worker, const SocketAddress& bind,
                                          ConnectHandler on_connect);
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;
  ~Listener();

  /// The address actually bound (with the kernel-chosen port when 0 was asked for).
  const SocketAddress& address() const noexcept { return bound_; }
  void reject(ucp_conn_request_h request) noexcept;

 private:
  Listener(std::shared_ptr<Worker> worker, ConnectHandler on_connect)
      : worker_(std::move(worker)), on_connect_(std::move(on_connect)) {}
  static void handle_connection(ucp_conn_request_h request, void* arg);

  std::shared_ptr<Worker> worker_;
  ConnectHandler on_connect_;
  ucp_listener_h handle_ = nullptr;
  SocketAddress bound_;
};

}  // namespace ferry::ucx
