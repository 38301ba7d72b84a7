#pragma once

#include <chrono>
#include <string>

#include "runtime/lease/lease_owner.hpp"
#include "runtime/lease/secret.hpp"
#include "runtime/ucx/socket_address.hpp"

namespace ferry::manager {

/// Everything `ferry manager` is told on its command line (or by the embedded default).
struct Settings {
  ucx::SocketAddress listen{"127.0.0.1", 0};
  lease::Secret secret;
  /// Its peers are processes of its own user only (the single-machine default), so UCX's
  /// shared-memory transports may serve them; other users cannot map them.
  bool same_user_peers = false;
  /// How the owner of a lease request is established (see lease_owner.hpp).
  lease::OwnerCheck owner_check;
  /// How often spawners report. One silent for `missed_heartbeats` periods gets no new
  /// leases until it is heard again; one silent for `spawner_timeout` is dropped and its
  /// leases revoked. A spawner that dies is dropped at once: its connection fails.
  std::chrono::milliseconds heartbeat{500};
  uint32_t missed_heartbeats = 4;
  std::chrono::milliseconds spawner_timeout{std::chrono::minutes(5)};
  /// A connection that sends nothing for this long after it is made is closed.
  std::chrono::milliseconds silent_connection_timeout{std::chrono::seconds(30)};
  /// Where the active leases are kept across restarts (SQLite); none when empty.
  std::string state_file;
  /// Lease requests that arrive before any spawner has registered wait for one, up to this
  /// long after the manager started (the single-machine default starts its job while its
  /// spawner registers); then they are answered as usual.
  std::chrono::milliseconds first_spawner_wait{0};
};

}  // namespace ferry::manager
