#include "mpi_shim/function_rank_owner.hpp"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>

#include "mpi_shim/errors.hpp"
#include "runtime/client/client.hpp"
#include "runtime/client/shipment.hpp"
#include "runtime/common/environment.hpp"
#include "runtime/common/error.hpp"
#include "runtime/common/trace.hpp"

namespace ferry::mpi {

namespace {

/// The file this process runs (the program the function ranks run too).
std::string own_executable() {
  std::error_code error;
  const std::filesystem::path path = std::filesystem::read_symlink("/proc/self/exe", error);
  if (error) throw Error(Errc::system, "cannot find this program's file: " + error.message());
  return path.string();
}

std::string describe(const ProgramExit& exit) {
  if (!exit.reason.empty()) return exit.reason;
  if (exit.signal != 0) return "killed by signal " + std::to_string(exit.signal);
  return "exited with code " + std::to_string(exit.exit_code);
}

}  // namespace

FunctionRankOwner::FunctionRankOwner(JobSettings settings, int batch_rank, std::vector<OwnedRank> ranks,
                                     std::vector<std::string> argv, std::string working_directory)
    : settings_(std::move(settings)),
      batch_rank_(batch_rank),
      ranks_(std::move(ranks)),
      argv_(std::move(argv)),
      working_directory_(std::move(working_directory)),
      thread_([this] { run(); }) {}

FunctionRankOwner::~FunctionRankOwner() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void FunctionRankOwner::defer_failures() {
  std::lock_guard lock(mutex_);
  failures_deferred_ = true;
}

void FunctionRankOwner::fail(int code, const std::string& message) {
  std::unique_lock lock(mutex_);
  if (!failures_deferred_) abort_job(code, message);  // holds the lock: PMPI_Finalize waits
  if (!deferred_failure_) deferred_failure_.emplace(code, message);
}

void FunctionRankOwner::finish(std::chrono::milliseconds timeout) {
  finalizing_ = true;
  {
    std::unique_lock lock(mutex_);
    if (!all_exited_.wait_for(lock, timeout, [this] { return exited_; })) {
      std::fprintf(stderr, "ferry: rank %d: function ranks still running %lld ms after MPI_Finalize; stopping them\n",
                   batch_rank_, static_cast<long long>(timeout.count()));
    }
  }
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  write_report();
  if (deferred_failure_) abort_job(deferred_failure_->first, deferred_failure_->second);
}

void FunctionRankOwner::run() noexcept {
  try {
    watch();
  } catch (const std::exception& error) {
    if (!finalizing_) abort_job(1, std::string("function ranks failed: ") + error.what());
    std::fprintf(stderr, "ferry: rank %d: %s\n", batch_rank_, error.what());
  }
  std::lock_guard lock(mutex_);
  exited_ = true;
  all_exited_.notify_all();
}

void FunctionRankOwner::watch() {
  auto client = Client::create(
      lease_client_options(settings_, "rank" + std::to_string(batch_rank_), uint32_t(ranks_.size())));
  trace::phase("lease client connected");

  std::vector<wire::ShippedFile> shipment;
  if (settings_.ship) {
    shipment = client::program_shipment(own_executable(), environment_entries());
    trace::phase("program and " + std::to_string(shipment.size() - 1) + " libraries listed for shipping");
  }
  std::vector<Lease> leases;
  std::vector<Program> programs;
  for (const OwnedRank& owned : ranks_) {
    Lease& lease = leases.emplace_back(client->lease(
        {.cores = 1, .memory_mib = settings_.memory_mib, .duration = settings_.lease_duration}));
    lease_ids_.push_back(lease.id());
    trace::phase("lease " + std::to_string(lease.id()) + " granted");
    std::vector<std::string> env = owned.env;
    env.push_back("FERRY_LEASE_ID=" + std::to_string(lease.id()));
    programs.push_back(client->spawn(lease, argv_, env, 1, working_directory_, shipment));
    trace::phase("rank " + std::to_string(owned.rank) + " spawned on lease " + std::to_string(lease.id()));
  }

  std::vector<std::optional<ProgramExit>> exits(programs.size());
  size_t running = programs.size();
  auto renewed = std::chrono::steady_clock::now();
  auto next_renewal = renewed;
  while (running > 0) {
    for (size_t i = 0; i < programs.size(); ++i) {
      if (exits[i]) continue;
      exits[i] = programs[i].wait(std::chrono::milliseconds(20));
      if (!exits[i]) continue;
      --running;
      core_seconds_ += double(exits[i]->usage.wall_ns) / 1e9;
      const bool clean = exits[i]->exit_code == 0 && exits[i]->signal == 0 && exits[i]->reason.empty();
      if (!clean || !finalizing_) {
        const std::string cause = clean ? "exited before MPI_Finalize" : describe(*exits[i]);
        fail(exits[i]->exit_code > 0 ? exits[i]->exit_code : 1,
             "function rank " + std::to_string(ranks_[i].rank) + " (lease " + std::to_string(leases[i].id()) +
                 "): " + cause);
      }
    }
    if (stop_) {
      for (size_t i = 0; i < programs.size(); ++i) {
        if (!exits[i]) programs[i].kill();
      }
      break;
    }
    const auto now = std::chrono::steady_clock::now();
    if (now - renewed > settings_.lease_duration / 2 && now >= next_renewal) {
      if (renew_all(leases, now - renewed)) {
        renewed = now;
      } else {
        next_renewal = now + renewal_retry_interval;
      }
    }
  }
}

bool FunctionRankOwner::renew_all(std::vector<Lease>& leases, std::chrono::steady_clock::duration since_renewed) {
  try {
    for (Lease& lease : leases) lease.renew(settings_.lease_duration);
    if (renewal_failing_) {
      std::fprintf(stderr, "ferry: rank %d: the leases of its function ranks are renewed again\n", batch_rank_);
      renewal_failing_ = false;
    }
    return true;
  } catch (const Error& error) {
    // A manager that restarts or is out of reach for a moment does not end the job: the
    // renewal is tried again until the leases would have expired (the spawners end the
    // function ranks then, and the job ends with that reason).
    const bool transient = error.code() == Errc::unreachable || error.code() == Errc::timeout;
    if (!transient || since_renewed >= settings_.lease_duration) throw;
    if (!renewal_failing_) {
      std::fprintf(stderr, "ferry: rank %d: cannot renew the leases of its function ranks (%s); trying again\n",
                   batch_rank_, error.what());
      renewal_failing_ = true;
    }
    return false;
  }
}

void FunctionRankOwner::write_report() const {
  if (settings_.report_directory.empty()) return;
  std::ofstream out(settings_.report_directory + "/rank" + std::to_string(batch_rank_) + ".json");
  out << "{\"rank\":" << batch_rank_ << ",\"leases\":[";
  for (size_t i = 0; i < lease_ids_.size(); ++i) out << (i ? "," : "") << lease_ids_[i];
  out << "],\"function_ranks\":[";
  for (size_t i = 0; i < ranks_.size(); ++i) out << (i ? "," : "") << ranks_[i].rank;
  out << "],\"core_seconds\":" << core_seconds_ << "}\n";
}

}  // namespace ferry::mpi
