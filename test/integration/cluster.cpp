#include "test/integration/cluster.hpp"

#include <stdexcept>

#include "test/integration/helpers.hpp"

namespace ferry::test {

ManagedCluster::ManagedCluster(const std::vector<std::string>& manager_args,
                               const std::vector<std::string>& spawner_args)
    : secret_(dir_.file("secret")) {
  make_secret(secret_);
  manager_.emplace(secret_, manager_args);
  spawner_.emplace(dir_, manager_->address(), secret_, spawner_args);
  ClientOptions options;
  options.manager = manager_->address();
  options.mode = WaitMode::warm;
  client_ = Client::create(options);
  if (!eventually([&] { return !spawner_status().is_null(); }, 10s)) {
    throw std::runtime_error("the spawner did not register with the manager");
  }
}

ManagedCluster::~ManagedCluster() { client_.reset(); }

nlohmann::json ManagedCluster::status() { return nlohmann::json::parse(client_->status()); }

nlohmann::json ManagedCluster::spawner_status() {
  return find_spawner(status(), spawner_->id()).value_or(nlohmann::json{});
}

nlohmann::json ManagedCluster::lease_status(uint64_t lease_id) {
  return find_lease(status(), lease_id).value_or(nlohmann::json{});
}

}  // namespace ferry::test
