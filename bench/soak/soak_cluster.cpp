#include "bench/soak/soak_cluster.hpp"

#include <thread>

namespace ferry::soak {

using namespace std::chrono_literals;

ClientOptions client_options(std::optional<std::string> manager, std::vector<std::string> spawners) {
  ClientOptions options;
  options.manager = std::move(manager);
  options.spawners = std::move(spawners);
  options.mode = WaitMode::warm;
  return options;
}

SoakCluster::SoakCluster(size_t spawners, uint32_t cores_per_spawner) : cores_per_spawner_(cores_per_spawner) {
  secret_ = dir_.file("secret");
  test::make_secret(secret_);
  manager_.emplace(secret_, std::vector<std::string>{});
  const std::vector<std::string> cores{"--cores", std::to_string(cores_per_spawner), "--grace-ms", "500"};
  for (size_t i = 0; i < spawners; ++i) {
    spawners_.push_back(std::make_unique<test::SpawnerProcess>(dir_, manager_->address(), secret_, cores));
  }
  manager_observer_ = Client::create(client_options(manager_->address(), {}));
  const bool registered = test::eventually(
      [&] {
        return nlohmann::json::parse(manager_observer_->status()).at("spawners").size() == spawners_.size();
      },
      30s);
  if (!registered) throw std::runtime_error("the spawners did not all register with the manager");
  for (const auto& spawner : spawners_) {
    spawner_observers_.push_back(Client::create(client_options({}, {spawner->address()})));
  }
}

SoakCluster::~SoakCluster() {
  spawner_observers_.clear();
  manager_observer_.reset();
  spawners_.clear();
  manager_.reset();
}

uint64_t SoakCluster::executor_processes() const {
  uint64_t total = 0;
  for (const auto& spawner : spawners_) total += sample_process(spawner->pid()).children;
  return total;
}

Snapshot SoakCluster::snapshot() {
  Snapshot now;
  now.manager_status = nlohmann::json::parse(manager_observer_->status());
  now.manager = sample_process(manager_->pid());
  now.manager_connections = now.manager_status.at("manager").at("connections").get<uint64_t>();
  for (size_t i = 0; i < spawners_.size(); ++i) {
    now.spawner_statuses.push_back(nlohmann::json::parse(spawner_observers_[i]->status()));
    now.spawners += sample_process(spawners_[i]->pid());
    now.lease_directories += entries_in(spawners_[i]->work_root());
    now.spawner_connections += now.spawner_statuses.back().at("spawner").at("connections").get<uint64_t>();
  }
  return now;
}

bool SoakCluster::settle(std::chrono::milliseconds deadline) {
  return test::eventually(
      [&] {
        const Snapshot now = snapshot();
        for (const auto& lease : now.manager_status.at("leases")) {
          if (lease.at("state") == "active") return false;
        }
        for (const auto& spawner : now.spawner_statuses) {
          if (spawner.at("spawner").at("executors").get<uint64_t>() != 0) return false;
        }
        return now.spawners.children == 0;
      },
      deadline);
}

std::vector<std::string> accounting_errors(const Snapshot& snapshot) {
  std::vector<std::string> errors;
  const auto& accounted = snapshot.manager_status.at("manager").at("accounted");
  for (const char* field : {"executors", "wall_ns", "cpu_ns", "hot_poll_ns"}) {
    uint64_t reported = 0;
    for (const auto& spawner : snapshot.spawner_statuses) {
      reported += spawner.at("spawner").at("reported").at(field).get<uint64_t>();
    }
    const uint64_t billed = accounted.at(field).get<uint64_t>();
    if (billed != reported) {
      errors.push_back(std::string(field) + ": the manager accounted " + std::to_string(billed) +
                       ", the spawners reported " + std::to_string(reported));
    }
  }
  for (const auto& lease : snapshot.manager_status.at("leases")) {
    const std::string state = lease.at("state").get<std::string>();
    if (state == "active" || state == "revoked") {
      errors.push_back("lease " + std::to_string(lease.at("id").get<uint64_t>()) + " is " + state + ": " +
                       lease.at("reason").get<std::string>());
    }
  }
  for (const auto& spawner : snapshot.spawner_statuses) {
    for (const auto& id : spawner.at("spawner").at("leases")) {
      errors.push_back("spawner " + spawner.at("spawner").at("id").get<std::string>() + " still serves lease " +
                       std::to_string(id.get<uint64_t>()) + ", which the manager has ended");
    }
  }
  return errors;
}

}  // namespace ferry::soak
