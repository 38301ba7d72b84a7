#pragma once
// Accepted connections that have not sent a message yet. Every client speaks at once, so
// a connection still silent after a while is a stuck or hostile peer, and a daemon closes
// it rather than hold its descriptors and buffers for ever.

#include <ucp/api/ucp.h>

#include <chrono>
#include <unordered_map>
#include <vector>

#include "runtime/common/log.hpp"

namespace ferry::wire {

class SilentConnections {
 public:
  using Clock = std::chrono::steady_clock;

  void accepted(ucp_ep_h endpoint) { accepted_at_[endpoint] = Clock::now(); }
  /// The connection has spoken (or is gone): it is no longer watched.
  void spoke(ucp_ep_h endpoint) { accepted_at_.erase(endpoint); }
  /// The connections accepted more than `patience` ago that have said nothing; they are
  /// no longer watched.
  std::vector<ucp_ep_h> take_silent_for(Clock::duration patience) {
    std::vector<ucp_ep_h> silent;
    const auto now = Clock::now();
    std::erase_if(accepted_at_, [&](const auto& entry) {
      if (now - entry.second < patience) return false;
      silent.push_back(entry.first);
      return true;
    });
    return silent;
  }
  /// Closes (with `close`) every connection silent for `patience` since it was accepted.
  template <class Close>
  void close_silent_for(Clock::duration patience, Close&& close) {
    const auto silent = take_silent_for(patience);
    if (silent.empty()) return;
    spdlog::warn("closing {} connection(s) that sent nothing for {} ms", silent.size(),
                 std::chrono::duration_cast<std::chrono::milliseconds>(patience).count());
    for (const ucp_ep_h endpoint : silent) close(endpoint);
  }
  size_t size() const noexcept { return accepted_at_.size(); }

 private:
  std::unordered_map<ucp_ep_h, Clock::time_point> accepted_at_;
};

}  // namespace ferry::wire
