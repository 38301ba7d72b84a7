#pragma once

#include <ucp/api/ucp.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <span>

#include "runtime/ucx/socket_address.hpp"
#include "runtime/ucx/worker.hpp"

namespace ferry::ucx {

class RemoteKey;

/// Whether UCX tracks the peer's failure. Tracking (UCP_ERR_HANDLING_MODE_PEER) is on for
/// control and invocation traffic, so a dead peer never hangs a wait. UCX 1.13 then
/// avoids the one-sided zero-copy protocols, so the MPI shim's rank-to-rank endpoints and
/// invocations from registered buffers leave it off and learn of failures from the
/// control connection and the spawners instead.
enum class PeerFailure { reported, untracked };

/// Owns a ucp_ep; keeps its worker alive. Reports peer failure through a callback.
class Endpoint {
 public:
  using FailureHandler = std::function<void(ucs_status_t)>;

  /// Client side of a listener connection to `address`.
  static std::unique_ptr<Endpoint> connect(std::shared_ptr<Worker> worker, const SocketAddress& address);
  /// Server side: accepts a connection request delivered by a Listener.
  static std::unique_ptr<Endpoint> accept(std::shared_ptr<Worker> worker, ucp_conn_request_h request);
  /// Connects to a worker whose address was exchanged over an existing connection.
  static std::unique_ptr<Endpoint> connect_to_worker(std::shared_ptr<Worker> worker,
                                                     std::span<const std::byte> address,
                                                     PeerFailure failure = PeerFailure::reported);

  Endpoint(const Endpoint&) = delete;
  Endpoint& operator=(const Endpoint&) = delete;
  /// Flushes and closes (briefly), or force-closes when the peer has failed.
  ~Endpoint();
  /// Starts the close that the destructor would wait for and returns its request (to
  /// wait for with wait_request); the endpoint is unusable afterwards. Closing many
  /// endpoints at once lets their peers acknowledge them all in one round.
  ucs_status_ptr_t begin_close() noexcept;

  /// Called once, from progress, when the peer fails or disconnects.
  void on_failure(FailureHandler handler) { on_failure_ = std::move(handler); }
  bool failed() const noexcept { return failure_ != UCS_OK; }
  ucs_status_t failure() const noexcept { return failure_; }

  /// Starts an active-message send; buffers must stay valid until the request completes.
  ucs_status_ptr_t send_am(uint16_t id, std::span<const std::byte> header, const void* data,
                           size_t length, ucp_mem_h memh = nullptr) noexcept;
  /// Starts a tagged send.
  ucs_status_ptr_t send_tag(uint64_t tag, const void* data, size_t length) noexcept;
  /// Starts an RMA put / get against a remote buffer.
  ucs_status_ptr_t put(const void* data, size_t length, uint64_t remote_address, const RemoteKey& key) noexcept;
  ucs_status_ptr_t get(void* data, size_t length, uint64_t remote_address, const RemoteKey& key) noexcept;
  /// Starts a flush of every outstanding operation on this endpoint.
  ucs_status_ptr_t flush() noexcept;

  ucp_ep_h raw() const noexcept { return handle_; }
  Worker& worker() const noexcept { return *worker_; }

 private:
  explicit Endpoint(std::shared_ptr<Worker> worker) : worker_(std::move(worker)) {}
  static std::unique_ptr<Endpoint> create(std::shared_ptr<Worker> worker, ucp_ep_params_t& params,
                                          const char* operation, PeerFailure failure = PeerFailure::reported);
  static void handle_error(void* arg, ucp_ep_h ep, ucs_status_t status);

  std::shared_ptr<Worker> worker_;
  ucp_ep_h handle_ = nullptr;
  ucs_status_t failure_ = UCS_OK;
  FailureHandler on_failure_;
};

}  // namespace ferry::ucx
