#pragma once
// Control messages over UCX active messages: encoding on send, length-checked decoding
// on receipt. Received messages are queued by the UCX callback and handed to the owner
// from dispatch(), outside of ucp_worker_progress, so handlers may send and wait freely.

#include <ucp/api/ucp.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <vector>

#include "runtime/ucx/worker.hpp"
#include "runtime/wire/messages.hpp"

namespace ferry::wire {

class ControlChannel {
 public:
  /// `reply_ep` is the endpoint to answer on (valid while the sender is connected).
  using Handler = std::function<void(ucp_ep_h reply_ep, Message&& message)>;

  ControlChannel(std::shared_ptr<ucx::Worker> worker, Handler handler);
  ControlChannel(const ControlChannel&) = delete;
  ControlChannel& operator=(const ControlChannel&) = delete;
  ~ControlChannel();

  /// Sends without waiting; the encoded bytes live until UCX is done with them.
  /// Returns false (and logs) when the send failed at once.
  bool send(ucp_ep_h endpoint, const Message& message);
  /// Hands every queued message to the handler; returns how many there were.
  size_t dispatch();
  /// Progresses the worker and dispatches until nothing more has arrived: what depends on
  /// what peers have said (is a lease expired, or renewed in a message not read yet because
  /// this process was stopped or starved?) is decided after it.
  size_t dispatch_arrived();
  /// Malformed messages dropped so far.
  uint64_t rejected() const noexcept { return rejected_; }
  /// Sends still in flight (their buffers are owned by the channel).
  size_t sends_in_flight() const noexcept { return in_flight_; }

 private:
  struct Received {
    ucp_ep_h reply_ep;
    std::vector<std::byte> bytes;
    bool complete;
  };
  ucs_status_t on_active_message(const ucx::AmMessage& message);
  void fetch_rendezvous(const ucx::AmMessage& message);

  std::shared_ptr<ucx::Worker> worker_;
  Handler handler_;
  std::deque<std::unique_ptr<Received>> inbox_;
  uint64_t rejected_ = 0;
  size_t in_flight_ = 0;
};

}  // namespace ferry::wire
