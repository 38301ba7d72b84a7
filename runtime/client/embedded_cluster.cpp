#include "runtime/client/embedded_cluster.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>

#include "runtime/common/error.hpp"
#include "runtime/common/executable_path.hpp"
#include "runtime/common/trace.hpp"
#include "runtime/manager/manager.hpp"
#include "spawner/daemon/spawner.hpp"

namespace ferry::client {

namespace {
bool executable(const std::string& path) { return !path.empty() && ::access(path.c_str(), X_OK) == 0; }
}  // namespace

std::string default_worker_executable() {
  if (const char* env = std::getenv("FERRY_WORKER"); env != nullptr && *env != '\0') return env;
  for (const std::string& candidate : {std::string(FERRY_WORKER_BUILD_PATH), std::string(FERRY_WORKER_INSTALL_PATH),
                                      find_sibling_executable("ferry-worker")}) {
    if (executable(candidate)) return candidate;
  }
  return {};
}

EmbeddedCluster::EmbeddedCluster(uint32_t cores, const std::string& worker_executable, Registration registration) {
  manager::Settings manager_settings;
  manager_settings.secret = lease::Secret::generate();
  manager_settings.first_spawner_wait = std::chrono::seconds(10);
  manager_settings.same_user_peers = true;
  manager_ = std::make_unique<manager::Manager>(manager_settings);

  spawner::Settings spawner_settings;
  spawner_settings.manager = manager_->address();
  spawner_settings.secret = manager_settings.secret;
  // Its executors run as the caller, who is in this very process, whoever that is.
  spawner_settings.allow_root_owner = true;
  spawner_settings.same_user_peers = true;
  spawner_settings.worker_executable = worker_executable.empty() ? default_worker_executable() : worker_executable;
  spawner::apply_machine_defaults(spawner_settings);
  // Launchers bind ranks from CPU 0 upwards, so the embedded spawner leases from the top.
  std::reverse(spawner_settings.cpus.begin(), spawner_settings.cpus.end());
  spawner::fit_cpus_to_cores(spawner_settings.cpus, cores);
  spawner_ = std::make_unique<spawner::Spawner>(spawner_settings);

  manager_thread_ = std::thread([this] { manager_->run(); });
  spawner_thread_ = std::thread([this] { spawner_->run(); });
  if (registration == Registration::in_background) return;

  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (manager_->registered_spawners() == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      shutdown();
      throw Error(Errc::timeout, "the embedded spawner did not register with the embedded manager");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

EmbeddedCluster::~EmbeddedCluster() { shutdown(); }

void EmbeddedCluster::shutdown() {
  if (spawner_thread_.joinable()) {
    spawner_->stop();
    spawner_thread_.join();
  }
  spawner_.reset();
  trace::phase("embedded spawner stopped");
  if (manager_thread_.joinable()) {
    manager_->stop();
    manager_thread_.join();
  }
  manager_.reset();
  trace::phase("embedded manager stopped");
}

std::string EmbeddedCluster::manager_address() const { return manager_->address().to_string(); }

std::string EmbeddedCluster::status() { return manager_->status(); }

}  // namespace ferry::client
