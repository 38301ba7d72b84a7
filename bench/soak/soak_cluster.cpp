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
  state_file_ = dir_.file("manager-state.db");
  test::make_secret(secret_);
  manager_.emplace(secret_, std::vector<std::string>{"--state-file", state_file_});
  for (size_t i = 0; i < spawners; ++i) {
    spawners_.push_back(std::make_unique<test::SpawnerProcess>(dir_, manager_->address(), secret_, spawner_arguments(i)));
  }
  manager_observer_ = Client::create(client_options(manager_->address(), {}));
  wait_for_registrations();
  for (const auto& spawner : spawners_) {
    spawner_observers_.push_back(Client::create(client_options({}, {spawner->address()})));
  }
}

std::vector<std::string> SoakCluster::spawner_arguments(size_t index) const {
  return {"--cores", std::to_string(cores_per_spawner_), "--grace-ms", "500", "--id", "soak-" + std::to_string(index)};
}

void SoakCluster::wait_for_registrations() {
  const bool registered = test::eventually(
      [&] {
        try {
          const auto status = nlohmann::json::parse(manager_observer_->status());
          size_t answering = 0;
          for (const auto& spawner : status.at("spawners")) answering += spawner.at("state") == "up" ? 1 : 0;
          return answering == spawners_.size();
        } catch (const std::exception&) {
          return false;
        }
      },
      30s);
  if (!registered) throw std::runtime_error("the spawners did not all register with the manager");
}

void SoakCluster::restart_manager(std::chrono::milliseconds down) {
  const std::string address = manager_->address();
  manager_observer_.reset();
  manager_->kill_now();
  manager_.reset();
  std::this_thread::sleep_for(down);
  manager_.emplace(secret_, std::vector<std::string>{"--listen", address, "--state-file", state_file_});
  manager_observer_ = Client::create(client_options(manager_->address(), {}));
  wait_for_registrations();
}

void SoakCluster::kill_spawner(size_t index) {
  const auto status = nlohmann::json::parse(spawner_observers_.at(index)->status());
  const auto manager_status = nlohmann::json::parse(manager_observer_->status());
  const std::string id = status.at("spawner").at("id").get<std::string>();
  for (const auto& lease : manager_status.at("leases")) {
    if (lease.at("spawner") == id && lease.at("state") == "active") {
      leases_of_killed_spawners_.insert(lease.at("id").get<uint64_t>());
    }
  }
  spawners_.at(index)->kill_now();
  for (const auto& [field, value] : status.at("spawner").at("reported").items()) {
    reported_by_killed_spawners_[field] += value.get<uint64_t>();
  }
}

void SoakCluster::restart_spawner(size_t index) {
  const std::string work_root = spawners_.at(index)->work_root();
  spawner_observers_.at(index).reset();
  spawners_.at(index)->kill_now();
  spawners_.at(index) =
      std::make_unique<test::SpawnerProcess>(work_root, manager_->address(), secret_, spawner_arguments(index));
  spawner_observers_.at(index) = Client::create(client_options({}, {spawners_.at(index)->address()}));
  wait_for_registrations();
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
  now.reported_by_killed_spawners = reported_by_killed_spawners_;
  now.leases_of_killed_spawners = leases_of_killed_spawners_;
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
    uint64_t reported = snapshot.reported_by_killed_spawners.count(field) ? snapshot.reported_by_killed_spawners.at(field) : 0;
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
    const bool spawner_killed = snapshot.leases_of_killed_spawners.contains(lease.at("id").get<uint64_t>());
    if (state == "active" || (state == "revoked" && !spawner_killed)) {
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
