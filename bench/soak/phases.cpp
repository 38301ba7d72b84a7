#include "bench/soak/phases.hpp"

#include <atomic>
#include <mutex>
#include <thread>

#include "bench/soak/command.hpp"
#include "runtime/common/error.hpp"

namespace ferry::soak {

using namespace std::chrono_literals;

namespace {

constexpr size_t errors_kept = 5;

class Failures {
 public:
  void add(std::string error) {
    std::lock_guard lock(mutex_);
    if (errors_.size() < errors_kept) errors_.push_back(std::move(error));
    ++count_;
  }
  void into(PhaseResult& result) {
    std::lock_guard lock(mutex_);
    result.errors = errors_;
    if (count_ > errors_.size()) result.errors.push_back("... " + std::to_string(count_ - errors_.size()) + " more");
  }

 private:
  std::mutex mutex_;
  std::vector<std::string> errors_;
  uint64_t count_ = 0;
};

/// Samples how many executors run at once, every 20 ms, while it lives.
class PeakWatcher {
 public:
  explicit PeakWatcher(const SoakCluster& cluster)
      : thread_([this, &cluster] {
          while (running_) {
            try {
              peak_ = std::max<uint64_t>(peak_, cluster.executor_processes());
            } catch (const std::exception&) {  // a daemon gone shows in the phase's errors
            }
            std::this_thread::sleep_for(20ms);
          }
        }) {}
  ~PeakWatcher() { stop(); }
  uint64_t stop() {
    running_ = false;
    if (thread_.joinable()) thread_.join();
    return peak_;
  }

 private:
  std::atomic<bool> running_{true};
  std::atomic<uint64_t> peak_{0};
  std::thread thread_;
};

/// Leases one core, retrying while every core is leased by the other clients.
Lease lease_core(Client& client, std::chrono::milliseconds duration) {
  for (int attempt = 0;; ++attempt) {
    try {
      LeaseSpec spec;
      spec.cores = 1;
      spec.memory_mib = 64;
      spec.duration = duration;
      return client.lease(spec);
    } catch (const Error& error) {
      if (error.code() != Errc::no_resources || attempt == 1000) throw;
      std::this_thread::sleep_for(5ms);
    }
  }
}

void use_with_program(Client& client, Lease& lease) {
  Program program = client.spawn(lease, {"/bin/sh", "-c", "exit 7"});
  const auto exit = program.wait(30s);
  if (!exit) throw std::runtime_error("a program did not end within 30 s");
  if (exit->exit_code != 7) throw std::runtime_error("a program exited with " + std::to_string(exit->exit_code));
}

void use_with_executor(Client& client, Lease& lease, const std::string& library, uint64_t value) {
  ExecutorSpec spec;
  spec.library = library;
  spec.functions = {"echo"};
  spec.mode = WaitMode::warm;
  Executor executor = client.allocate(lease, spec);
  uint64_t answer = 0;
  const auto written = executor.invoke(0, std::as_bytes(std::span(&value, 1)), std::as_writable_bytes(std::span(&answer, 1)));
  if (written != sizeof value || answer != value) throw std::runtime_error("an echo came back wrong");
}

}  // namespace

PhaseResult lease_churn(SoakCluster& cluster, uint64_t leases, uint32_t clients, const std::string& function_library) {
  std::atomic<uint64_t> next{0}, done{0};
  Failures failures;
  PeakWatcher watcher(cluster);
  std::vector<std::thread> threads;
  for (uint32_t c = 0; c < clients; ++c) {
    threads.emplace_back([&] {
      try {
        auto client = Client::create(client_options(cluster.manager_address(), {}));
        for (uint64_t i = next++; i < leases; i = next++) {
          try {
            Lease lease = lease_core(*client, 60s);
            if (i % 2 == 0) {
              use_with_program(*client, lease);
            } else {
              use_with_executor(*client, lease, function_library, i);
            }
            lease.release();
            ++done;
          } catch (const std::exception& error) {
            failures.add("lease " + std::to_string(i) + ": " + error.what());
          }
        }
      } catch (const std::exception& error) {
        failures.add(std::string("a client failed: ") + error.what());
      }
    });
  }
  for (auto& thread : threads) thread.join();
  PhaseResult result;
  result.done = done;
  result.peak_executors = watcher.stop();
  failures.into(result);
  return result;
}

PhaseResult lease_expiry(SoakCluster& cluster, uint64_t leases) {
  Failures failures;
  PhaseResult result;
  PeakWatcher watcher(cluster);
  auto client = Client::create(client_options(cluster.manager_address(), {}));
  for (uint64_t first = 0; first < leases;) {
    const uint64_t batch = std::min<uint64_t>(leases - first, cluster.total_cores());
    std::vector<Lease> held;
    std::vector<Program> programs;
    const auto expired_by = std::chrono::steady_clock::now() + 1200ms;
    try {
      for (uint64_t i = 0; i < batch; ++i) {
        held.push_back(lease_core(*client, 1s));
        if ((first + i) % 2 == 0) programs.push_back(client->spawn(held.back(), {"sleep", "600"}));
      }
    } catch (const std::exception& error) {
      failures.add(std::string("granting leases to expire: ") + error.what());
    }
    for (auto& program : programs) {
      const auto exit = program.wait(30s);
      if (!exit) {
        failures.add("a program outlived its lease by 30 s");
      } else if (exit->reason.find("expired") == std::string::npos) {
        failures.add("a program under an expiring lease ended with '" + exit->reason + "'");
      }
    }
    // Released only once expired: the manager must have ended them itself.
    std::this_thread::sleep_until(expired_by);
    result.done += held.size();
    first += batch;
  }
  result.peak_executors = watcher.stop();
  failures.into(result);
  return result;
}

PhaseResult mpi_jobs(SoakCluster& cluster, uint64_t jobs, uint32_t functions, const std::string& program) {
  Failures failures;
  PhaseResult result;
  test::TempDir dir;
  const std::string output = dir.file("job.out");
  const std::vector<std::string> argv{test::ferry_cli(), "run", "--manager", cluster.manager_address(), "-n", "1",
                                      "--functions", std::to_string(functions), "--mode", "warm", "--", program};
  PeakWatcher watcher(cluster);
  for (uint64_t job = 0; job < jobs; ++job) {
    Command command(argv, output);
    const std::optional<int> status = command.wait(300s);
    const std::string text = command.output();
    const std::string last_rank = "rank " + std::to_string(functions) + " of " + std::to_string(functions + 1);
    if (status == 0 && text.find(last_rank) != std::string::npos) {
      ++result.done;
    } else {
      failures.add("job " + std::to_string(job) + (!status ? " hung" : " failed (" + describe_wait_status(*status) + ")") +
                   ": " + text.substr(0, 2000));
    }
  }
  result.peak_executors = watcher.stop();
  failures.into(result);
  return result;
}

}  // namespace ferry::soak
