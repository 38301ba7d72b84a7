#pragma once
// The single-machine default: a manager and a spawner on threads of the client's own
// process, on loopback ports chosen by the kernel, sharing a fresh random secret.

#include <memory>
#include <string>
#include <thread>

namespace ferry::manager {
class Manager;
}
namespace ferry::spawner {
class Spawner;
}

namespace ferry::client {

class EmbeddedCluster {
 public:
  /// Whether the constructor waits for the spawner's registration: a caller that leases
  /// at once need not, since the embedded manager holds lease requests until then.
  enum class Registration { awaited, in_background };
  /// Starts both; returns once the spawner has registered with the manager, or at once.
  EmbeddedCluster(uint32_t cores, const std::string& worker_executable,
                  Registration registration = Registration::awaited);
  EmbeddedCluster(const EmbeddedCluster&) = delete;
  EmbeddedCluster& operator=(const EmbeddedCluster&) = delete;
  /// Stops the spawner (ending every executor), then the manager.
  ~EmbeddedCluster();

  std::string manager_address() const;
  /// The manager's status (as `ferry status --json`), without a connection to it.
  std::string status();

 private:
  void shutdown();
  std::unique_ptr<manager::Manager> manager_;
  std::unique_ptr<spawner::Spawner> spawner_;
  std::thread manager_thread_;
  std::thread spawner_thread_;
};

/// ferry-worker's path: FERRY_WORKER, else the build tree, else the install prefix.
std::string default_worker_executable();

}  // namespace ferry::client
