#include "mpi_shim/transfer.hpp"

#include <cstdlib>
#include <string>
#include <utility>

#include "mpi_shim/tags.hpp"
#include "mpi_shim/transport.hpp"
#include "mpi_shim/world.hpp"
#include "runtime/common/error.hpp"

namespace ferry::mpi {

namespace {

size_t count_of(size_t bytes, ucp_datatype_t datatype) { return datatype == bytes_datatype ? bytes : 1; }

// Tests inject a transport failure into every send to one rank once MPI_Init is done.
int failing_peer() noexcept {
  static const int peer = [] {
    const char* value = std::getenv("FERRY_TEST_FAIL_SENDS_TO");
    return value ? std::atoi(value) : -1;
  }();
  return peer;
}

ucp_request_param_t receive_parameters(ucp_tag_recv_info_t* info, ucp_datatype_t datatype) {
  ucp_request_param_t param{};
  // UCX 1.13 does not always fill recv_info when a receive completes at once, so every
  // receive returns a request and its information is read from it on completion.
  param.op_attr_mask = UCP_OP_ATTR_FIELD_DATATYPE | UCP_OP_ATTR_FIELD_RECV_INFO | UCP_OP_ATTR_FLAG_NO_IMM_CMPL;
  param.datatype = datatype;
  param.recv_info.tag_info = info;
  return param;
}

}  // namespace

Transfer& Transfer::operator=(Transfer&& other) noexcept {
  if (this != &other) {
    this->~Transfer();
    request_ = std::exchange(other.request_, nullptr);
    started_ = std::exchange(other.started_, false);
    is_receive_ = other.is_receive_;
    status_ = other.status_;
    info_ = other.info_;
  }
  return *this;
}

Transfer::~Transfer() {
  if (request_ == nullptr) return;
  if (is_receive_) ucp_request_cancel(transport().worker().raw(), request_);
  ucp_request_free(request_);
  request_ = nullptr;
}

Transfer Transfer::send(int world_rank, ucp_tag_t tag, const void* data, size_t size, bool synchronous,
                        ucp_datatype_t datatype) {
  if (world_rank == failing_peer() && world().initialized)
    throw Error(Errc::transport, "UCX send to rank " + std::to_string(world_rank) + " failed (injected)");
  return send_on(transport().endpoint(world_rank), tag, data, size, synchronous, datatype);
}

Transfer Transfer::send_on(ucp_ep_h ep, ucp_tag_t tag, const void* data, size_t size, bool synchronous,
                           ucp_datatype_t datatype) {
  Transfer transfer;
  transfer.started_ = true;
  transfer.info_.sender_tag = tag;
  transfer.info_.length = size;
  ucp_request_param_t param{};
  param.op_attr_mask = UCP_OP_ATTR_FIELD_DATATYPE;
  param.datatype = datatype;
  const size_t count = count_of(size, datatype);
  ucs_status_ptr_t request = synchronous ? ucp_tag_send_sync_nbx(ep, data, count, tag, &param)
                                         : ucp_tag_send_nbx(ep, data, count, tag, &param);
  if (UCS_PTR_IS_PTR(request)) {
    transfer.request_ = request;
  } else {
    transfer.status_ = UCS_PTR_STATUS(request);
  }
  return transfer;
}

Transfer Transfer::receive(ucp_tag_t tag, ucp_tag_t mask, void* data, size_t capacity, ucp_datatype_t datatype) {
  Transfer transfer;
  transfer.started_ = true;
  transfer.is_receive_ = true;
  ucp_request_param_t param = receive_parameters(&transfer.info_, datatype);
  ucs_status_ptr_t request =
      ucp_tag_recv_nbx(transport().worker().raw(), data, count_of(capacity, datatype), tag, mask, &param);
  if (UCS_PTR_IS_PTR(request)) {
    transfer.request_ = request;
  } else {
    transfer.status_ = UCS_PTR_STATUS(request);
  }
  return transfer;
}

Transfer Transfer::receive_probed(ucp_tag_message_h message, const ucp_tag_recv_info_t& info, void* data,
                                  size_t capacity, ucp_datatype_t datatype) {
  Transfer transfer;
  transfer.started_ = true;
  transfer.is_receive_ = true;
  transfer.info_ = info;
  ucp_request_param_t param = receive_parameters(&transfer.info_, datatype);
  ucs_status_ptr_t request =
      ucp_tag_msg_recv_nbx(transport().worker().raw(), data, count_of(capacity, datatype), message, &param);
  if (UCS_PTR_IS_PTR(request)) {
    transfer.request_ = request;
  } else {
    transfer.status_ = UCS_PTR_STATUS(request);
  }
  return transfer;
}

bool Transfer::test() noexcept {
  if (request_ == nullptr) return status_ != UCS_INPROGRESS;
  ucs_status_t status;
  if (is_receive_) {
    status = ucp_tag_recv_request_test(request_, &info_);
  } else {
    status = ucp_request_check_status(request_);
  }
  if (status == UCS_INPROGRESS) return false;
  status_ = status;
  ucp_request_free(request_);
  request_ = nullptr;
  return true;
}

void Transfer::cancel() noexcept {
  if (request_ != nullptr && is_receive_) ucp_request_cancel(transport().worker().raw(), request_);
}

bool all_complete(Transfer* transfers, size_t count) noexcept {
  bool all = true;
  for (size_t i = 0; i < count; ++i) all = transfers[i].test() && all;
  return all;
}

void wait_all(Transfer* transfers, size_t count) {
  transport().wait_until([&] { return all_complete(transfers, count); });
}

std::optional<std::vector<std::byte>> receive_whole_until(ucp_tag_t tag, ucp_tag_t mask, Deadline deadline,
                                                          const std::function<bool()>& stop, ucp_tag_t* sender) {
  ucp_tag_recv_info_t info{};
  ucp_tag_message_h message = nullptr;
  transport().wait_until(
      [&] {
        message = ucp_tag_probe_nb(transport().worker().raw(), tag, mask, 1, &info);
        return message != nullptr || (stop && stop());
      },
      deadline);
  if (message == nullptr) return std::nullopt;
  std::vector<std::byte> data(info.length);
  Transfer transfer = Transfer::receive_probed(message, info, data.data(), data.size());
  if (!transport().wait_until([&] { return transfer.test(); }, deadline) || transfer.status() != UCS_OK) {
    return std::nullopt;
  }
  if (sender != nullptr) *sender = info.sender_tag;
  return data;
}

std::vector<std::byte> receive_whole(ucp_tag_t tag, ucp_tag_t mask, ucp_tag_t* sender) {
  std::optional<std::vector<std::byte>> data = receive_whole_until(tag, mask, Deadline::never(), {}, sender);
  if (!data) throw Error(Errc::transport, "a receive failed");
  return std::move(*data);
}

std::vector<std::byte> swap_whole(int index, ucp_tag_t out, ucp_tag_t in, const std::vector<std::byte>& data) {
  Transfer send = Transfer::send(index, out, data.data(), data.size());
  std::vector<std::byte> received = receive_whole(in, full_mask);
  wait_all(&send, 1);
  if (send.status() != UCS_OK) throw Error(Errc::transport, "a send failed: " + std::string(ucs_status_string(send.status())));
  return received;
}

void send_whole(int index, ucp_tag_t tag, const std::vector<std::byte>& data) {
  Transfer transfer = Transfer::send(index, tag, data.data(), data.size());
  wait_all(&transfer, 1);
  if (transfer.status() != UCS_OK) throw Error(Errc::transport, "a send failed: " + std::string(ucs_status_string(transfer.status())));
}

}  // namespace ferry::mpi
