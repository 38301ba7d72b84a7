#pragma once
// A bare protocol peer for the integration tests: its own UCX context, worker and
// control channel, so a test can send any message (or any bytes) to a daemon and read
// the replies, without the Client's checks in the way.

#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "runtime/ucx/endpoint.hpp"
#include "runtime/ucx/waiter.hpp"
#include "runtime/wire/control_channel.hpp"

namespace ferry::test {

class RawPeer {
 public:
  RawPeer();
  RawPeer(const RawPeer&) = delete;
  RawPeer& operator=(const RawPeer&) = delete;
  ~RawPeer();

  /// Sends an encoded message to `address` (connecting on first use).
  void send(const std::string& address, const wire::Message& message);
  /// Sends an encoded message to the UCX worker at `address` (connecting on first use).
  void send_to_worker(std::span<const std::byte> address, const wire::Message& message);
  /// Sends `bytes` as the data of an am_control active message, exactly as given.
  void send_bytes(const std::string& address, std::span<const std::byte> bytes);
  /// Waits for a reply of type Reply carrying `request_id`; nothing after `deadline`.
  template <class Reply>
  std::optional<Reply> await(uint64_t request_id, std::chrono::milliseconds deadline);
  /// Waits for the first message of type Message; nothing after `deadline`.
  template <class Message>
  std::optional<Message> await_first(std::chrono::milliseconds deadline);
  /// Sends a StatusRequest and waits for its reply's JSON text.
  std::optional<std::string> status(const std::string& address, std::chrono::milliseconds deadline);
  /// True when the connection to `address` has failed.
  bool failed(const std::string& address);
  uint64_t next_id() noexcept { return next_id_++; }

 private:
  ucx::Endpoint& endpoint(const std::string& address);
  bool pump(std::chrono::milliseconds deadline, const std::function<bool()>& done);

  std::shared_ptr<ucx::Context> context_;
  std::shared_ptr<ucx::Worker> worker_;
  ucx::Waiter waiter_;
  std::unique_ptr<wire::ControlChannel> channel_;
  std::map<std::string, std::unique_ptr<ucx::Endpoint>> endpoints_;  ///< by host:port, or hex worker address
  std::deque<wire::Message> inbox_;
  uint64_t next_id_ = 1000;
};

template <class Reply>
std::optional<Reply> RawPeer::await(uint64_t request_id, std::chrono::milliseconds deadline) {
  std::optional<Reply> found;
  pump(deadline, [&] {
    for (auto it = inbox_.begin(); it != inbox_.end(); ++it) {
      if (const Reply* reply = std::get_if<Reply>(&*it); reply != nullptr && reply->request_id == request_id) {
        found = *reply;
        inbox_.erase(it);
        return true;
      }
    }
    return false;
  });
  return found;
}

template <class Message>
std::optional<Message> RawPeer::await_first(std::chrono::milliseconds deadline) {
  std::optional<Message> found;
  pump(deadline, [&] {
    for (auto it = inbox_.begin(); it != inbox_.end(); ++it) {
      if (const Message* message = std::get_if<Message>(&*it)) {
        found = *message;
        inbox_.erase(it);
        return true;
      }
    }
    return false;
  });
  return found;
}

}  // namespace ferry::test
