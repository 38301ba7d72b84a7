#include "mpi_shim/dynamic/spawn_service.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <optional>

#include "mpi_shim/errors.hpp"
#include "mpi_shim/transport.hpp"
#include "mpi_shim/world.hpp"
#include "runtime/client/client.hpp"
#include "runtime/client/shipment.hpp"
#include "runtime/common/environment.hpp"
#include "runtime/common/error.hpp"

namespace ferry::mpi {

struct SpawnService::Child {
  ChildProgram program;
  ChildState state;
  std::optional<Lease> lease;
  std::optional<Program> process;
};

struct SpawnService::Spawn {
  uint64_t id = 0;
  SpawnOrder order;
  std::vector<Child> children;
  bool abandoned = false;
  std::chrono::steady_clock::time_point renewed;
};

namespace {

std::unique_ptr<SpawnService> service;
std::mutex service_mutex;
std::atomic<bool> failures_pending{false};

std::string describe(const ProgramExit& exit) {
  if (!exit.reason.empty()) return exit.reason;
  if (exit.signal != 0) return "killed by signal " + std::to_string(exit.signal);
  return "exited with code " + std::to_string(exit.exit_code);
}

bool clean(const ProgramExit& exit) { return exit.exit_code == 0 && exit.signal == 0 && exit.reason.empty(); }

/// Cores the single-machine default offers spawned ranks when the job names no manager.
uint32_t local_cores() {
  if (const char* text = std::getenv("FERRY_LOCAL_CORES"); text != nullptr && *text != '\0') {
    const long cores = std::strtol(text, nullptr, 10);
    if (cores > 0 && cores <= 4096) return uint32_t(cores);
  }
  const long online = ::sysconf(_SC_NPROCESSORS_ONLN);
  return online > 0 ? uint32_t(online) : 1U;
}

}  // namespace

SpawnService& SpawnService::instance() {
  std::lock_guard lock(service_mutex);
  if (!service) service = std::make_unique<SpawnService>(read_job_settings());
  return *service;
}

void SpawnService::finish(std::chrono::milliseconds timeout) noexcept {
  std::unique_ptr<SpawnService> ending;
  {
    std::lock_guard lock(service_mutex);
    ending = std::move(service);
  }
  if (!ending) return;
  {
    std::lock_guard lock(ending->mutex_);
    ending->stopping_ = true;
    ending->stop_deadline_ = std::chrono::steady_clock::now() + timeout;
  }
  ending->changed_.notify_all();
  if (ending->thread_.joinable()) ending->thread_.join();
  ending->write_report();
}

SpawnService::SpawnService(JobSettings settings) : settings_(std::move(settings)), thread_([this] { run(); }) {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [this] { return ready_; });
}

SpawnService::~SpawnService() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

uint64_t SpawnService::start(SpawnOrder order) {
  auto spawn = std::make_shared<Spawn>();
  spawn->order = std::move(order);
  spawn->children.resize(spawn->order.children.size());
  for (size_t i = 0; i < spawn->children.size(); ++i) spawn->children[i].program = spawn->order.children[i];
  {
    std::lock_guard lock(mutex_);
    if (!failure_.empty()) {
      for (Child& child : spawn->children) {
        child.state.status = ChildStatus::failed;
        child.state.reason = failure_;
      }
    }
    spawn->id = next_id_++;
    queued_.push_back(spawn);
    spawns_.push_back(spawn);
  }
  changed_.notify_all();
  return spawn->id;
}

std::vector<ChildState> SpawnService::states(uint64_t id) {
  std::lock_guard lock(mutex_);
  for (const auto& spawn : spawns_) {
    if (spawn->id != id) continue;
    std::vector<ChildState> states;
    for (const Child& child : spawn->children) states.push_back(child.state);
    return states;
  }
  return {};
}

void SpawnService::abandon(uint64_t id) {
  std::lock_guard lock(mutex_);
  for (const auto& spawn : spawns_) {
    if (spawn->id == id) spawn->abandoned = true;
  }
}

void SpawnService::set_parents_handle_errors(uint64_t id, bool handle) {
  std::lock_guard lock(mutex_);
  for (const auto& spawn : spawns_) {
    if (spawn->id == id) spawn->order.parents_handle_errors = handle;
  }
}

bool SpawnService::failures_waiting() noexcept { return failures_pending.load(std::memory_order_acquire); }

std::vector<ChildFailure> SpawnService::take_failures() {
  std::lock_guard lock(mutex_);
  failures_pending.store(false, std::memory_order_release);
  // The children of a spawn that failed end with it: their deaths are its error, not news.
  std::erase_if(failures_, [&](const ChildFailure& failure) {
    return std::any_of(spawns_.begin(), spawns_.end(),
                       [&](const auto& spawn) { return spawn->id == failure.spawn && spawn->abandoned; });
  });
  return std::exchange(failures_, {});
}

std::string SpawnService::manager_address() {
  std::lock_guard lock(mutex_);
  return manager_address_;
}

void SpawnService::run() noexcept {
  try {
    serve();
  } catch (const std::exception& error) {
    // The client could not be made (an unreachable manager) or failed: every spawn fails with this.
    std::lock_guard lock(mutex_);
    failure_ = error.what();
    for (const auto& spawn : spawns_) {
      for (Child& child : spawn->children) {
        if (child.state.status != ChildStatus::starting && child.state.status != ChildStatus::running) continue;
        child.state.status = ChildStatus::failed;
        child.state.reason = error.what();
      }
    }
  }
  std::lock_guard lock(mutex_);
  ready_ = true;
  changed_.notify_all();
}

void SpawnService::serve() {
  const std::unique_ptr<Client> client =
      Client::create(lease_client_options(settings_, "spawn" + std::to_string(::getpid()), local_cores()));
  {
    std::lock_guard lock(mutex_);
    manager_address_ = settings_.manager ? *settings_.manager : client->manager_address();
    ready_ = true;
  }
  changed_.notify_all();

  for (;;) {
    std::shared_ptr<Spawn> next;
    {
      std::lock_guard lock(mutex_);
      if (!queued_.empty()) {
        next = queued_.front();
        queued_.pop_front();
      }
    }
    if (next) {
      for (size_t i = 0; i < next->children.size(); ++i) {
        Child& child = next->children[i];
        if (child.state.status == ChildStatus::failed) continue;
        try {
          Lease lease = lease_for(*client, *next, child.program.placement);
          std::vector<std::string> env = child.program.env;
          env.push_back("FERRY_LEASE_ID=" + std::to_string(lease.id()));
          Program process = client->spawn(lease, child.program.argv, env, 1, child.program.working_directory,
                                          shipment_for(child.program));
          std::lock_guard lock(mutex_);
          leases_.push_back(lease.id());
          child.state.lease = lease.id();
          child.state.status = ChildStatus::running;
          child.lease.emplace(std::move(lease));
          child.process.emplace(std::move(process));
        } catch (const std::exception& error) {
          std::lock_guard lock(mutex_);
          child.state.status = ChildStatus::failed;
          child.state.reason = error.what();
        }
      }
      next->renewed = std::chrono::steady_clock::now();
      continue;
    }
    if (!watch()) break;
  }
}

const std::vector<wire::ShippedFile>& SpawnService::shipment_for(const ChildProgram& program) {
  static const std::vector<wire::ShippedFile> none;
  if (!settings_.ship) return none;
  const std::string& path = program.argv.front();  // resolved by the parent, on this node
  auto found = shipments_.find(path);
  if (found == shipments_.end()) {
    found = shipments_.emplace(path, client::program_shipment(path, environment_entries())).first;
  }
  return found->second;
}

/// A lease for one child. Children of earlier spawns that have disconnected may still be
/// on their way out, holding their cores: while any is running, a refusal for want of
/// cores is tried again as they exit (for at most lease_retry_time).
Lease SpawnService::lease_for(Client& client, Spawn& spawn, const std::string& placement) {
  constexpr auto lease_retry_time = std::chrono::seconds(10);
  const auto deadline = std::chrono::steady_clock::now() + lease_retry_time;
  for (;;) {
    try {
      return client.lease({.cores = 1,
                           .memory_mib = settings_.memory_mib,
                           .duration = spawn.order.lease_duration,
                           .placement = placement});
    } catch (const Error& error) {
      if (error.code() != Errc::no_resources || std::chrono::steady_clock::now() > deadline || !children_running()) {
        throw;
      }
      reap_exited();
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }
}

bool SpawnService::children_running() {
  std::lock_guard lock(mutex_);
  for (const auto& spawn : spawns_) {
    for (const Child& child : spawn->children) {
      if (child.process && child.state.status == ChildStatus::running) return true;
    }
  }
  return false;
}

/// One round over every running child; false once the service may end.
bool SpawnService::watch() {
  const auto [any_running, changed] = reap_exited();
  if (changed) changed_.notify_all();
  std::unique_lock lock(mutex_);
  if (stopping_ && !any_running) return false;
  if (queued_.empty()) {
    changed_.wait_for(lock, any_running ? std::chrono::milliseconds(5) : std::chrono::milliseconds(50),
                      [this] { return !queued_.empty() || stopping_; });
  }
  return true;
}

/// Collects the children that exited (releasing their leases) and renews the leases of
/// those that run on; whether any still runs, and whether any exited.
std::pair<bool, bool> SpawnService::reap_exited() {
  bool any_running = false;
  bool changed = false;
  std::vector<std::shared_ptr<Spawn>> spawns;
  bool stopping;
  std::chrono::steady_clock::time_point deadline;
  {
    std::lock_guard lock(mutex_);
    spawns = spawns_;
    stopping = stopping_;
    deadline = stop_deadline_;
  }
  const bool overdue = stopping && std::chrono::steady_clock::now() > deadline;
  for (const auto& spawn : spawns) {
    for (Child& child : spawn->children) {
      if (!child.process || child.state.status != ChildStatus::running) continue;
      std::optional<ProgramExit> exit = child.process->wait(std::chrono::milliseconds(0));
      if (!exit) {
        bool abandoned;
        {
          std::lock_guard lock(mutex_);
          abandoned = spawn->abandoned;
        }
        if (abandoned || overdue) {
          if (overdue && !abandoned) {
            std::fprintf(stderr, "ferry: rank %d: %s still running at MPI_Finalize; stopping it\n", world().rank,
                         child.program.name.c_str());
          }
          child.process->kill();
          exit = child.process->wait(std::chrono::milliseconds(2000));
        }
      }
      if (!exit) {
        any_running = true;
        continue;
      }
      changed = true;
      core_seconds_ += double(exit->usage.wall_ns) / 1e9;
      bool abandoned, parents_go_on;
      {
        std::lock_guard lock(mutex_);
        abandoned = spawn->abandoned;
        parents_go_on = spawn->order.parents_handle_errors;
        child.state.status = clean(*exit) ? ChildStatus::exited : ChildStatus::failed;
        child.state.reason = describe(*exit);
      }
      try {
        child.lease->release();
      } catch (const std::exception&) {
        // The manager bills what the spawner reported either way.
      }
      child.lease.reset();
      child.process.reset();
      if (!clean(*exit) && !abandoned && !overdue) {
        std::string reason = child.program.name + " (lease " + std::to_string(child.state.lease) + "): " + describe(*exit);
        if (!parents_go_on) abort_job(exit->exit_code > 0 ? exit->exit_code : 1, reason);
        {
          std::lock_guard lock(mutex_);
          failures_.push_back({spawn->id, uint32_t(&child - spawn->children.data()), std::move(reason)});
          failures_pending.store(true, std::memory_order_release);
        }
        transport().worker().signal();  // the parent may be asleep in a wait
      }
    }
    if (std::chrono::steady_clock::now() - spawn->renewed > spawn->order.lease_duration / 2) {
      for (Child& child : spawn->children) {
        if (child.lease) child.lease->renew(spawn->order.lease_duration);
      }
      spawn->renewed = std::chrono::steady_clock::now();
    }
  }
  return {any_running, changed};
}

void SpawnService::write_report() const {
  if (settings_.report_directory.empty() || leases_.empty()) return;
  std::ofstream out(settings_.report_directory + "/rank" + std::to_string(world().rank) + "-spawned-" +
                    std::to_string(::getpid()) + ".json");
  out << "{\"rank\":" << world().rank << ",\"leases\":[";
  for (size_t i = 0; i < leases_.size(); ++i) out << (i ? "," : "") << leases_[i];
  out << "],\"spawned_ranks\":" << leases_.size() << ",\"core_seconds\":" << core_seconds_ << "}\n";
}

}  // namespace ferry::mpi
