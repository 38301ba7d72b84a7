#pragma once

#include <chrono>

#include "runtime/lease/secret.hpp"
#include "runtime/ucx/socket_address.hpp"

namespace ferry::manager {

/// Everything `ferry manager` is told on its command line (or by the embedded default).
struct Settings {
  ucx::SocketAddress listen{"127.0.0.1", 0};
  lease::Secret secret;
  /// How often spawners report; one silent for `missed_heartbeats` periods is dropped.
  std::chrono::milliseconds heartbeat{500};
  uint32_t missed_heartbeats = 4;
};

}  // namespace ferry::manager
