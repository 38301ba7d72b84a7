#include "runtime/ucx/listener.hpp"

#include <netinet/in.h>

#include "runtime/common/log.hpp"
#include "runtime/ucx/status.hpp"

namespace ferry::ucx {

std::unique_ptr<Listener> Listener::create(std::shared_ptr<Worker> worker, const SocketAddress& bind,
                                           ConnectHandler on_connect) {
  std::unique_ptr<Listener> listener(new Listener(std::move(worker), std::move(on_connect)));
  socklen_t length = 0;
  const sockaddr_storage storage = bind.resolve(length);
  ucp_listener_params_t params{};
  params.field_mask = UCP_LISTENER_PARAM_FIELD_SOCK_ADDR | UCP_LISTENER_PARAM_FIELD_CONN_HANDLER;
  params.sockaddr.addr = reinterpret_cast<const sockaddr*>(&storage);
  params.sockaddr.addrlen = length;
  params.conn_handler.cb = &Listener::handle_connection;
  params.conn_handler.arg = listener.get();
  check(ucp_listener_create(listener->worker_->raw(), &params, &listener->handle_),
        "ucp_listener_create on " + bind.to_string());

  ucp_listener_attr_t attributes{};
  attributes.field_mask = UCP_LISTENER_ATTR_FIELD_SOCKADDR;
  check(ucp_listener_query(listener->handle_, &attributes), "ucp_listener_query");
  uint16_t port = 0;
  if (attributes.sockaddr.ss_family == AF_INET) {
    port = ntohs(reinterpret_cast<const sockaddr_in&>(attributes.sockaddr).sin_port);
  } else {
    port = ntohs(reinterpret_cast<const sockaddr_in6&>(attributes.sockaddr).sin6_port);
  }
  listener->bound_ = SocketAddress{bind.host, port};
  return listener;
}

Listener::~Listener() {
  if (handle_ != nullptr) ucp_listener_destroy(handle_);
}

void Listener::reject(ucp_conn_request_h request) noexcept { ucp_listener_reject(handle_, request); }

void Listener::handle_connection(ucp_conn_request_h request, void* arg) {
  auto* self = static_cast<Listener*>(arg);
  try {
    self->on_connect_(request);
  } catch (const std::exception& error) {
    spdlog::error("accepting a connection failed: {}", error.what());
    self->reject(request);
  }
}

}  // namespace ferry::ucx
