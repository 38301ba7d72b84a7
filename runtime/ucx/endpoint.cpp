#include "runtime/ucx/endpoint.hpp"

#include <chrono>

#include "runtime/common/log.hpp"
#include "runtime/ucx/memory.hpp"
#include "runtime/ucx/request.hpp"
#include "runtime/ucx/status.hpp"

namespace ferry::ucx {

std::unique_ptr<Endpoint> Endpoint::create(std::shared_ptr<Worker> worker, ucp_ep_params_t& params,
                                           const char* operation, PeerFailure failure) {
  std::unique_ptr<Endpoint> endpoint(new Endpoint(std::move(worker)));
  params.field_mask |= UCP_EP_PARAM_FIELD_ERR_HANDLING_MODE | UCP_EP_PARAM_FIELD_ERR_HANDLER;
  params.err_mode = failure == PeerFailure::reported ? UCP_ERR_HANDLING_MODE_PEER : UCP_ERR_HANDLING_MODE_NONE;
  params.err_handler.cb = &Endpoint::handle_error;
  params.err_handler.arg = endpoint.get();
  check(ucp_ep_create(endpoint->worker_->raw(), &params, &endpoint->handle_), operation);
  return endpoint;
}

std::unique_ptr<Endpoint> Endpoint::connect(std::shared_ptr<Worker> worker, const SocketAddress& address) {
  socklen_t length = 0;
  const sockaddr_storage storage = address.resolve(length);
  ucp_ep_params_t params{};
  params.field_mask = UCP_EP_PARAM_FIELD_FLAGS | UCP_EP_PARAM_FIELD_SOCK_ADDR;
  params.flags = UCP_EP_PARAMS_FLAGS_CLIENT_SERVER;
  params.sockaddr.addr = reinterpret_cast<const sockaddr*>(&storage);
  params.sockaddr.addrlen = length;
  return create(std::move(worker), params, "ucp_ep_create (connect)");
}

std::unique_ptr<Endpoint> Endpoint::accept(std::shared_ptr<Worker> worker, ucp_conn_request_h request) {
  ucp_ep_params_t params{};
  params.field_mask = UCP_EP_PARAM_FIELD_CONN_REQUEST;
  params.conn_request = request;
  return create(std::move(worker), params, "ucp_ep_create (accept)");
}

std::unique_ptr<Endpoint> Endpoint::connect_to_worker(std::shared_ptr<Worker> worker,
                                                      std::span<const std::byte> address, PeerFailure failure) {
  ucp_ep_params_t params{};
  params.field_mask = UCP_EP_PARAM_FIELD_REMOTE_ADDRESS;
  params.address = reinterpret_cast<const ucp_address_t*>(address.data());
  return create(std::move(worker), params, "ucp_ep_create (worker address)", failure);
}

ucs_status_ptr_t Endpoint::begin_close() noexcept {
  if (handle_ == nullptr) return nullptr;
  ucp_request_param_t param{};
  param.op_attr_mask = UCP_OP_ATTR_FIELD_FLAGS;
  param.flags = failed() ? UCP_EP_CLOSE_FLAG_FORCE : 0;
  ucs_status_ptr_t request = ucp_ep_close_nbx(handle_, &param);
  handle_ = nullptr;
  return request;
}

Endpoint::~Endpoint() {
  if (handle_ == nullptr) return;
  ucs_status_ptr_t request = begin_close();
  Waiter waiter(*worker_, WaitMode::hot);
  const ucs_status_t status = wait_request(request, waiter, Deadline::after(std::chrono::milliseconds(500)));
  if (status != UCS_OK && !is_connection_failure(status) && status != UCS_ERR_TIMED_OUT) {
    spdlog::debug("closing endpoint: {}", ucs_status_string(status));
  }
}

void Endpoint::handle_error(void* arg, ucp_ep_h, ucs_status_t status) {
  auto* self = static_cast<Endpoint*>(arg);
  if (self->failure_ != UCS_OK) return;
  self->failure_ = status;
  spdlog::debug("endpoint failed: {}", ucs_status_string(status));
  if (self->on_failure_) {
    try {
      self->on_failure_(status);
    } catch (const std::exception& error) {
      spdlog::error("endpoint failure handler threw: {}", error.what());
    }
  }
}

ucs_status_ptr_t Endpoint::send_am(uint16_t id, std::span<const std::byte> header, const void* data,
                                   size_t length, ucp_mem_h memh) noexcept {
  ucp_request_param_t param{};
  param.op_attr_mask = UCP_OP_ATTR_FIELD_FLAGS;
  param.flags = UCP_AM_SEND_FLAG_REPLY;
  if (memh != nullptr) {
    param.op_attr_mask |= UCP_OP_ATTR_FIELD_MEMH;
    param.memh = memh;
  }
  return ucp_am_send_nbx(handle_, id, header.data(), header.size(), data, length, &param);
}

ucs_status_ptr_t Endpoint::send_tag(uint64_t tag, const void* data, size_t length) noexcept {
  ucp_request_param_t param{};
  return ucp_tag_send_nbx(handle_, data, length, tag, &param);
}

ucs_status_ptr_t Endpoint::put(const void* data, size_t length, uint64_t remote_address,
                               const RemoteKey& key) noexcept {
  ucp_request_param_t param{};
  return ucp_put_nbx(handle_, data, length, remote_address, key.raw(), &param);
}

ucs_status_ptr_t Endpoint::get(void* data, size_t length, uint64_t remote_address,
                               const RemoteKey& key) noexcept {
  ucp_request_param_t param{};
  return ucp_get_nbx(handle_, data, length, remote_address, key.raw(), &param);
}

ucs_status_ptr_t Endpoint::flush() noexcept {
  ucp_request_param_t param{};
  return ucp_ep_flush_nbx(handle_, &param);
}

}  // namespace ferry::ucx
