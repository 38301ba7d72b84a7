#include "mpi_shim/dynamic/port_messages.hpp"

#include "mpi_shim/tags.hpp"
#include "runtime/common/error.hpp"
#include "runtime/wire/codec.hpp"

namespace ferry::mpi {

namespace {

constexpr size_t max_reason = 1 << 12;
constexpr size_t max_description = size_t{1} << 28;

}  // namespace

Bytes encode(const ConnectRequest& request) {
  wire::Writer out;
  out.u64(request.attempt);
  out.bytes(request.address);
  out.bytes(request.description);
  return out.take();
}

Bytes encode(const ConnectAnswer& answer) {
  wire::Writer out;
  out.boolean(answer.accepted);
  out.string(answer.reason.substr(0, max_reason));
  out.bytes(answer.description);
  return out.take();
}

ConnectRequest decode_connect_request(std::span<const std::byte> bytes) {
  wire::Reader in(bytes);
  in.set_context("connect request");
  ConnectRequest request;
  request.attempt = in.u64("attempt");
  request.address = in.bytes("address", max_worker_address);
  request.description = in.bytes("description", max_description);
  in.expect_end();
  if (request.address.empty()) throw Error(Errc::protocol, "connect request: no address to answer to");
  return request;
}

ConnectAnswer decode_connect_answer(std::span<const std::byte> bytes) {
  wire::Reader in(bytes);
  in.set_context("connect answer");
  ConnectAnswer answer;
  answer.accepted = in.boolean("accepted");
  answer.reason = in.string("reason", max_reason);
  answer.description = in.bytes("description", max_description);
  in.expect_end();
  return answer;
}

}  // namespace ferry::mpi
