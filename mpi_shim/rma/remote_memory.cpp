#include "mpi_shim/rma/remote_memory.hpp"

#include <sched.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "mpi_shim/transport.hpp"
#include "runtime/ucx/status.hpp"

namespace ferry::mpi::rma {

namespace {

/// Waits for an operation UCX started (or finished at once) and checks how it ended.
void complete(ucs_status_ptr_t request, const char* operation) {
  if (request == nullptr) return;
  if (UCS_PTR_IS_ERR(request)) ucx::raise(UCS_PTR_STATUS(request), operation);
  transport().wait_until([&] { return ucp_request_check_status(request) != UCS_INPROGRESS; });
  const ucs_status_t status = ucp_request_check_status(request);
  ucp_request_free(request);
  ucx::check(status, operation);
}

/// An operation that the next flush completes need not be waited for: UCX keeps it going
/// after its request is released, and the flush reports a failure of the endpoint.
void finish(ucs_status_ptr_t request, LocalCompletion completion, const char* operation) {
  if (completion == LocalCompletion::by_flush && request != nullptr && !UCS_PTR_IS_ERR(request)) {
    ucp_request_free(request);
    return;
  }
  complete(request, operation);
}

uint64_t control_address(const Target& target, ControlWord word) {
  return target.control_base + word * sizeof(uint64_t);
}

uint64_t fetching_atomic(Target& target, ControlWord word, ucp_atomic_op_t opcode, uint64_t value,
                         uint64_t reply, const char* operation) {
  ucp_request_param_t param{};
  param.op_attr_mask = UCP_OP_ATTR_FIELD_DATATYPE | UCP_OP_ATTR_FIELD_REPLY_BUFFER;
  param.datatype = ucp_dt_make_contig(sizeof(uint64_t));
  param.reply_buffer = &reply;
  complete(ucp_atomic_op_nbx(target.endpoint, opcode, &value, 1, control_address(target, word),
                             target.control_key->raw(), &param),
           operation);
  return reply;
}

}  // namespace

void put(Target& target, ucp_rkey_h key, const void* data, size_t length, uint64_t address,
         LocalCompletion completion) {
  if (length == 0) return;
  ucp_request_param_t param{};
  finish(ucp_put_nbx(target.endpoint, data, length, address, key, &param), completion, "ucp_put_nbx");
}

void get(Target& target, ucp_rkey_h key, void* data, size_t length, uint64_t address, LocalCompletion completion) {
  if (length == 0) return;
  ucp_request_param_t param{};
  finish(ucp_get_nbx(target.endpoint, data, length, address, key, &param), completion, "ucp_get_nbx");
}

uint64_t fetch_add(Target& target, ControlWord word, uint64_t value) {
  return fetching_atomic(target, word, UCP_ATOMIC_OP_ADD, value, 0, "ucp_atomic_op_nbx (fetch-add)");
}

uint64_t compare_swap(Target& target, ControlWord word, uint64_t expected, uint64_t desired) {
  // UCX compares with the operand, swaps in the reply buffer's value and writes the former
  // value there.
  return fetching_atomic(target, word, UCP_ATOMIC_OP_CSWAP, expected, desired, "ucp_atomic_op_nbx (compare-swap)");
}

void flush(Target& target) {
  ucp_request_param_t param{};
  complete(ucp_ep_flush_nbx(target.endpoint, &param), "ucp_ep_flush_nbx");
}

void flush_all() {
  ucp_request_param_t param{};
  complete(ucp_worker_flush_nbx(transport().worker().raw(), &param), "ucp_worker_flush_nbx");
}

void Backoff::pause() {
  transport().poll();
  ++rounds_;
  if (rounds_ < 16) return;
  if (rounds_ < 64) {
    sched_yield();
    return;
  }
  const unsigned doubling = std::min(rounds_ - 64, 10U);
  std::this_thread::sleep_for(std::chrono::microseconds(1U << doubling));
}

}  // namespace ferry::mpi::rma
