#include "runtime/ucx/worker.hpp"

#include "runtime/common/log.hpp"
#include "runtime/ucx/status.hpp"

namespace ferry::ucx {

std::shared_ptr<Worker> Worker::create(std::shared_ptr<Context> context, bool multi_threaded) {
  ucp_worker_params_t params{};
  params.field_mask = UCP_WORKER_PARAM_FIELD_THREAD_MODE;
  params.thread_mode = multi_threaded ? UCS_THREAD_MODE_MULTI : UCS_THREAD_MODE_SINGLE;
  ucp_worker_h handle = nullptr;
  check(ucp_worker_create(context->raw(), &params, &handle), "ucp_worker_create");
  return std::shared_ptr<Worker>(new Worker(std::move(context), handle));
}

Worker::Worker(std::shared_ptr<Context> context, ucp_worker_h handle)
    : context_(std::move(context)), handle_(handle) {
  const ucs_status_t status = ucp_worker_get_efd(handle_, &event_fd_);
  if (status != UCS_OK) {
    ucp_worker_destroy(handle_);
    raise(status, "ucp_worker_get_efd");
  }
}

Worker::~Worker() {
  for (const auto& entry : am_handlers_) {
    ucp_am_handler_param_t param{};
    param.field_mask = UCP_AM_HANDLER_PARAM_FIELD_ID | UCP_AM_HANDLER_PARAM_FIELD_CB;
    param.id = entry.first;
    param.cb = nullptr;
    ucp_worker_set_am_recv_handler(handle_, &param);
  }
  ucp_worker_destroy(handle_);
}

bool Worker::arm() {
  const ucs_status_t status = ucp_worker_arm(handle_);
  if (status == UCS_ERR_BUSY) return false;
  check(status, "ucp_worker_arm");
  return true;
}

std::vector<std::byte> Worker::address() const {
  ucp_address_t* address = nullptr;
  size_t length = 0;
  check(ucp_worker_get_address(handle_, &address, &length), "ucp_worker_get_address");
  const auto* bytes = reinterpret_cast<const std::byte*>(address);
  std::vector<std::byte> copy(bytes, bytes + length);
  ucp_worker_release_address(handle_, address);
  return copy;
}

void Worker::set_am_handler(uint16_t id, AmHandler handler) {
  auto stored = std::make_unique<AmHandler>(std::move(handler));
  ucp_am_handler_param_t param{};
  param.field_mask = UCP_AM_HANDLER_PARAM_FIELD_ID | UCP_AM_HANDLER_PARAM_FIELD_CB |
                     UCP_AM_HANDLER_PARAM_FIELD_ARG | UCP_AM_HANDLER_PARAM_FIELD_FLAGS;
  param.id = id;
  param.cb = &Worker::dispatch_am;
  param.arg = stored.get();
  param.flags = UCP_AM_FLAG_WHOLE_MSG;
  check(ucp_worker_set_am_recv_handler(handle_, &param), "ucp_worker_set_am_recv_handler");
  am_handlers_[id] = std::move(stored);
}

ucs_status_t Worker::dispatch_am(void* arg, const void* header, size_t header_length, void* data,
                                 size_t length, const ucp_am_recv_param_t* param) {
  const auto& handler = *static_cast<AmHandler*>(arg);
  AmMessage message{
      {static_cast<const std::byte*>(header), header_length},
      data,
      length,
      (param->recv_attr & UCP_AM_RECV_ATTR_FLAG_RNDV) != 0,
      (param->recv_attr & UCP_AM_RECV_ATTR_FIELD_REPLY_EP) != 0 ? param->reply_ep : nullptr,
  };
  try {
    return handler(message);
  } catch (const std::exception& error) {
    spdlog::error("active message handler failed: {}", error.what());
    return UCS_OK;
  }
}

}  // namespace ferry::ucx
