#pragma once
// A real `ferry manager`, one `ferry spawner` registered with it (sharing a secret made
// by `ferry secret`), and a client of the manager. Leases are granted on that spawner.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runtime/client/client.hpp"
#include "test/support/daemons.hpp"

namespace ferry::test {

class ManagedCluster {
 public:
  /// Starts both daemons and returns once the manager lists the spawner.
  explicit ManagedCluster(const std::vector<std::string>& manager_args = {},
                          const std::vector<std::string>& spawner_args = {"--cores", "2", "--grace-ms", "500"});
  ManagedCluster(const ManagedCluster&) = delete;
  ManagedCluster& operator=(const ManagedCluster&) = delete;
  /// Closes the client (its leases and programs) before the daemons stop.
  ~ManagedCluster();

  Client& client() { return *client_; }
  ManagerProcess& manager() { return *manager_; }
  SpawnerProcess& spawner() { return *spawner_; }
  const std::string& secret_file() const noexcept { return secret_; }
  const TempDir& dir() const noexcept { return dir_; }

  /// The manager's status, and the parts of it about the spawner and one lease
  /// (null when absent).
  nlohmann::json status();
  nlohmann::json spawner_status();
  nlohmann::json lease_status(uint64_t lease_id);

 private:
  TempDir dir_;
  std::string secret_;
  std::optional<ManagerProcess> manager_;
  std::optional<SpawnerProcess> spawner_;
  std::unique_ptr<Client> client_;
};

}  // namespace ferry::test
