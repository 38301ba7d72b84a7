#include "mpi_shim/dynamic/port_handshake.hpp"

#include <optional>
#include <string>

#include "mpi_shim/dynamic/ports.hpp"
#include "mpi_shim/tags.hpp"
#include "mpi_shim/transfer.hpp"
#include "mpi_shim/transport.hpp"
#include "runtime/common/error.hpp"

namespace ferry::mpi {

namespace {

std::shared_ptr<ucx::Endpoint> reach(const Bytes& address) {
  try {
    return port_service().peer(address);
  } catch (const Error& error) {
    throw Error(Errc::unreachable, std::string("the port's process cannot be reached: ") + error.what());
  }
}

// The connecting root's last word on an attempt: it has the answer, or it gave up.
const Bytes confirmation{std::byte{1}};
const Bytes withdrawal{std::byte{0}};

/// Answers `request` with `description`; true once its sender confirms within `within`.
bool confirmed(const ConnectRequest& request, const Bytes& description, Clock::duration within) {
  std::shared_ptr<ucx::Endpoint> peer;
  try {
    peer = port_service().peer(request.address);
  } catch (const Error&) {
    return false;
  }
  port_service().send_detached(*peer, port_tag(PortMessage::answer, request.attempt),
                               encode(ConnectAnswer{true, {}, description}));
  const std::optional<Bytes> word = receive_whole_until(port_tag(PortMessage::confirm, request.attempt), full_mask,
                                                       Deadline::after(within), [&] { return peer->failed(); });
  if (!word) port_service().discard(port_tag(PortMessage::confirm, request.attempt));
  return word == confirmation;
}

}  // namespace

Bytes request_connection(const PortName& port, const Bytes& description, Deadline deadline) {
  const uint64_t attempt = draw_port_id();
  const std::shared_ptr<ucx::Endpoint> peer = reach(port.address);
  port_service().send_detached(*peer, port_tag(PortMessage::request, port.id),
                               encode(ConnectRequest{attempt, transport().address(), description}));
  const std::optional<Bytes> reply = receive_whole_until(port_tag(PortMessage::answer, attempt), full_mask, deadline,
                                                        [&] { return peer->failed(); });
  if (!reply && peer->failed()) {
    throw Error(Errc::unreachable,
                std::string("the port's process is gone (") + ucs_status_string(peer->failure()) + ")");
  }
  if (!reply) {
    // The request may still wait at the port: an MPI_Comm_accept that takes it later
    // learns at once that nobody waits for its answer.
    port_service().send_detached(*peer, port_tag(PortMessage::confirm, attempt), withdrawal);
    port_service().discard(port_tag(PortMessage::answer, attempt));
    throw Error(Errc::unreachable, "the port did not answer in time (no MPI_Comm_accept on it?)");
  }
  ConnectAnswer answer = decode_connect_answer(*reply);
  if (!answer.accepted) throw Error(Errc::unreachable, "the port refused: " + answer.reason);
  port_service().send_detached(*peer, port_tag(PortMessage::confirm, attempt), confirmation);
  return std::move(answer.description);
}

Bytes answer_connection(uint64_t id, const Bytes& description, Clock::duration confirm_within) {
  for (;;) {
    std::optional<ConnectRequest> request;
    transport().wait_until([&] {
      request = port_service().take(id);
      return request.has_value() || !port_service().is_open(id);
    });
    if (!request) throw Error(Errc::unreachable, "the port is not open");
    if (confirmed(*request, description, confirm_within)) return std::move(request->description);
  }
}

}  // namespace ferry::mpi
