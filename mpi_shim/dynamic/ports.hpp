#pragma once
// The ports this process has open (MPI_Open_port) and the connect requests that reach
// them. Once a port has been opened, every turn of every wait takes the requests that
// arrived off UCX's queue: one for an open port waits for MPI_Comm_accept, one for a port
// that is closed (or was never opened here) is refused at once, so that its sender fails
// instead of waiting for its time-out.

#include <ucp/api/ucp.h>

#include <deque>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "mpi_shim/dynamic/port_messages.hpp"
#include "mpi_shim/dynamic/port_name.hpp"
#include "mpi_shim/transfer.hpp"
#include "runtime/ucx/endpoint.hpp"

namespace ferry::mpi {

class PortService {
 public:
  /// Opens a port (MPI_Open_port) and returns its name, at most `capacity` characters.
  std::string open(size_t capacity);
  /// Closes a port of this process; requests waiting for it are refused. False when it is not open.
  bool close(const PortName& port);
  bool is_open(uint64_t id) const { return open_.contains(id); }
  /// The oldest request for port `id` that has arrived, if any.
  std::optional<ConnectRequest> take(uint64_t id);

  /// The endpoint to the process at `address` whose failure is reported (made on first
  /// use, and again after a failure).
  std::shared_ptr<ucx::Endpoint> peer(const Bytes& address);
  /// Sends `message` with `tag` to `peer` and keeps it until it is gone, without waiting.
  void send_detached(ucx::Endpoint& peer, ucp_tag_t tag, Bytes message);
  /// Takes the message tagged `tag` off UCX's queue when it comes (an answer or a
  /// confirmation that nobody waits for any more; UCX warns of one left unreceived).
  void discard(ucp_tag_t tag);

  /// The background work of every wait: receives arrived requests, refuses those for
  /// ports that are not open, completes detached sends and drops discarded messages.
  /// Never blocks, never throws.
  void serve() noexcept;
  /// Forgets ports, requests, sends and endpoints (MPI_Finalize, before the transport goes).
  void clear() noexcept;

 private:
  struct Arrival {
    Bytes data;
    Transfer transfer;
  };
  struct Outgoing {
    Bytes message;
    Transfer transfer;
  };

  /// Makes serve() part of every wait's background work.
  void start_serving();
  void receive_arrivals();
  void receive_discarded();
  void settle(const Arrival& arrival);
  void refuse(const ConnectRequest& request, const std::string& reason);

  bool serving_ = false;
  bool listening_ = false;  // a port was opened: requests may arrive
  std::set<uint64_t> open_;
  std::deque<std::pair<uint64_t, ConnectRequest>> waiting_;
  std::list<Arrival> arrivals_;  // a list: a receive in flight keeps writing to its buffer
  std::list<Outgoing> outgoing_;
  std::set<ucp_tag_t> unwanted_;
  std::list<Arrival> discarded_;
  std::map<Bytes, std::shared_ptr<ucx::Endpoint>> peers_;
};

/// The process's ports.
PortService& port_service() noexcept;

}  // namespace ferry::mpi
