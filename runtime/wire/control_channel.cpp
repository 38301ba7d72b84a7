#include "runtime/wire/control_channel.hpp"

#include "runtime/common/log.hpp"

namespace ferry::wire {

namespace {
struct PendingSend {
  std::vector<std::byte> bytes;
  size_t* in_flight;
};

void on_send_complete(void* request, ucs_status_t status, void* user_data) {
  auto* pending = static_cast<PendingSend*>(user_data);
  if (status != UCS_OK) spdlog::warn("a control message was not delivered: {}", ucs_status_string(status));
  --*pending->in_flight;
  delete pending;
  ucp_request_free(request);
}

void on_receive_complete(void* request, ucs_status_t status, size_t, void* user_data) {
  auto* flag = static_cast<bool*>(user_data);
  if (status != UCS_OK) spdlog::warn("control receive failed: {}", ucs_status_string(status));
  *flag = true;
  ucp_request_free(request);
}
}  // namespace

ControlChannel::ControlChannel(std::shared_ptr<ucx::Worker> worker, Handler handler)
    : worker_(std::move(worker)), handler_(std::move(handler)) {
  worker_->set_am_handler(am_control, [this](const ucx::AmMessage& message) {
    return on_active_message(message);
  });
}

ControlChannel::~ControlChannel() {
  worker_->set_am_handler(am_control, [](const ucx::AmMessage&) { return UCS_OK; });
}

ucs_status_t ControlChannel::on_active_message(const ucx::AmMessage& message) {
  if (message.is_rendezvous) {
    fetch_rendezvous(message);
    return UCS_OK;
  }
  const auto* data = static_cast<const std::byte*>(message.data);
  inbox_.push_back(std::make_unique<Received>(
      Received{message.reply_ep, std::vector<std::byte>(data, data + message.length), true}));
  return UCS_OK;
}

void ControlChannel::fetch_rendezvous(const ucx::AmMessage& message) {
  auto received = std::make_unique<Received>(
      Received{message.reply_ep, std::vector<std::byte>(message.length), false});
  ucp_request_param_t param{};
  param.op_attr_mask = UCP_OP_ATTR_FIELD_CALLBACK | UCP_OP_ATTR_FIELD_USER_DATA;
  param.cb.recv_am = &on_receive_complete;
  param.user_data = &received->complete;
  ucs_status_ptr_t request = ucp_am_recv_data_nbx(worker_->raw(), message.data,
                                                  received->bytes.data(), message.length, &param);
  if (UCS_PTR_IS_ERR(request)) {
    spdlog::warn("control receive failed: {}", ucs_status_string(UCS_PTR_STATUS(request)));
    return;
  }
  if (request == nullptr) received->complete = true;
  inbox_.push_back(std::move(received));
}

bool ControlChannel::send(ucp_ep_h endpoint, const Message& message) {
  auto* pending = new PendingSend{encode(message), &in_flight_};
  ucp_request_param_t param{};
  param.op_attr_mask = UCP_OP_ATTR_FIELD_CALLBACK | UCP_OP_ATTR_FIELD_USER_DATA |
                       UCP_OP_ATTR_FIELD_FLAGS;
  param.flags = UCP_AM_SEND_FLAG_REPLY;
  param.cb.send = &on_send_complete;
  param.user_data = pending;
  ucs_status_ptr_t request = ucp_am_send_nbx(endpoint, am_control, nullptr, 0, pending->bytes.data(),
                                             pending->bytes.size(), &param);
  if (request == nullptr) {
    delete pending;
    return true;
  }
  if (UCS_PTR_IS_ERR(request)) {
    spdlog::debug("control send of {} failed: {}", message_name(message),
                  ucs_status_string(UCS_PTR_STATUS(request)));
    delete pending;
    return false;
  }
  ++in_flight_;
  return true;
}

size_t ControlChannel::dispatch() {
  size_t delivered = 0;
  while (!inbox_.empty() && inbox_.front()->complete) {
    std::unique_ptr<Received> received = std::move(inbox_.front());
    inbox_.pop_front();
    Message message;
    try {
      message = decode(received->bytes);
    } catch (const Error& error) {
      ++rejected_;
      spdlog::warn("rejected a malformed control message: {}", error.what());
      continue;
    }
    ++delivered;
    try {
      handler_(received->reply_ep, std::move(message));
    } catch (const std::exception& error) {
      spdlog::error("handling a control message failed: {}", error.what());
    }
  }
  return delivered;
}

size_t ControlChannel::dispatch_arrived() {
  constexpr int max_rounds = 1000;  // a peer that never stops sending cannot hold us here
  size_t delivered = 0;
  for (int round = 0; round < max_rounds; ++round) {
    bool progressed = false;
    for (int i = 0; i < max_rounds && worker_->progress(); ++i) progressed = true;
    const size_t handled = dispatch();
    delivered += handled;
    if (!progressed && handled == 0) break;
  }
  return delivered;
}

}  // namespace ferry::wire
