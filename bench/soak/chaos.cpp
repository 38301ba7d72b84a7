#include "bench/soak/chaos.hpp"

#include <signal.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <memory>
#include <optional>
#include <regex>
#include <thread>

#include "bench/soak/command.hpp"
#include "bench/soak/process_resources.hpp"

namespace ferry::soak {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

enum class Fault { function_rank, batch_rank, owner_rank, client, spawner_stop, spawner_kill, manager_kill };

constexpr std::array all_faults{Fault::function_rank, Fault::batch_rank,   Fault::owner_rank,  Fault::client,
                                Fault::spawner_stop,  Fault::spawner_kill, Fault::manager_kill};

const char* fault_name(Fault fault) {
  switch (fault) {
    case Fault::function_rank: return "SIGKILL function rank";
    case Fault::batch_rank: return "SIGKILL batch rank";
    case Fault::owner_rank: return "SIGKILL owner rank";
    case Fault::client: return "SIGKILL lease owner";
    case Fault::spawner_stop: return "SIGSTOP spawner";
    case Fault::spawner_kill: return "SIGKILL spawner";
    case Fault::manager_kill: return "SIGKILL manager";
  }
  return "?";
}

constexpr size_t jobs_per_fault = 3;
constexpr int exchange_seconds = 6;
// Short leases, renewed every 2 s: a manager restart falls between renewals.
const std::vector<std::string> job_environment{"FERRY_LEASE_SECONDS=4"};

std::chrono::milliseconds uniform(std::mt19937_64& random, std::chrono::milliseconds low, std::chrono::milliseconds high) {
  return std::chrono::milliseconds(std::uniform_int_distribution<int64_t>(low.count(), high.count())(random));
}

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

/// A `ferry run -n 2 --functions 1` of long_exchange whose ranks carry `tag` as an argument.
struct Job {
  std::string tag;
  std::unique_ptr<Command> command;
  std::optional<int> status;
  double ended_after = 0;  ///< seconds from the fault to its end
  pid_t batch[2] = {-1, -1};
  pid_t function = -1;
  pid_t function_parent = -1;

  bool find_ranks() {
    for (const TaggedProcess& process : processes_tagged(tag)) {
      if (process.command != "long_exchange") continue;
      if (process.function_rank && process.world_rank == 2) {
        function = process.pid;
        function_parent = process.parent;
      } else if (!process.function_rank && (process.world_rank == 0 || process.world_rank == 1)) {
        batch[process.world_rank] = process.pid;
      }
    }
    return function > 0 && batch[0] > 0 && batch[1] > 0;
  }
};

/// Processes of a tag still alive `deadline` after the fault's jobs ended: killed, and named.
std::vector<std::string> left_behind(const std::vector<std::string>& tags, std::chrono::milliseconds deadline) {
  std::vector<std::string> errors;
  std::vector<TaggedProcess> alive;
  test::eventually(
      [&] {
        alive.clear();
        for (const auto& tag : tags) {
          for (const auto& process : processes_tagged(tag)) alive.push_back(process);
        }
        return alive.empty();
      },
      deadline);
  for (const auto& process : alive) {
    errors.push_back("left behind: " + process.command + " (pid " + std::to_string(process.pid) + ", parent " +
                     std::to_string(process.parent) + ")");
    ::kill(process.pid, SIGKILL);
  }
  return errors;
}

std::optional<size_t> spawner_index_of(const SoakCluster& cluster, pid_t pid) {
  for (size_t i = 0; i < cluster.spawner_count(); ++i) {
    if (cluster.spawner_pid(i) == pid) return i;
  }
  return std::nullopt;
}

/// The end of a job a fault hit: not a success, and a message that names the cause.
const char* expected_cause(Fault fault) {
  switch (fault) {
    case Fault::function_rank: return "function rank 2 \\(lease [0-9]+\\): killed by signal 9";
    case Fault::batch_rank: return "rank 1 .*(signal 9|Killed)";
    case Fault::owner_rank: return "rank 0 .*(signal 9|Killed)";
    case Fault::spawner_kill: return "function rank 2 \\(lease [0-9]+\\): .*(spawner|connection)";
    default: return "";
  }
}

/// The jobs' rank faults and the daemons' faults: 3 jobs run while `fault` strikes.
std::vector<std::string> strike_jobs(SoakCluster& cluster, std::mt19937_64& random, const ChaosPrograms& programs,
                                     Fault fault, const std::string& tag_prefix, const test::TempDir& dir) {
  std::vector<std::string> errors;
  std::vector<Job> jobs(jobs_per_fault);
  std::vector<std::string> tags;
  for (size_t j = 0; j < jobs.size(); ++j) {
    jobs[j].tag = tag_prefix + "-" + std::to_string(j);
    tags.push_back(jobs[j].tag);
    const std::vector<std::string> argv{test::ferry_cli(), "run", "--manager", cluster.manager_address(), "-n", "2",
                                        "--functions", "1", "--mode", "warm", "--", programs.exchange,
                                        std::to_string(exchange_seconds), jobs[j].tag};
    jobs[j].command = std::make_unique<Command>(argv, dir.file(jobs[j].tag + ".out"), job_environment);
  }
  const bool started = test::eventually(
      [&] {
        for (auto& job : jobs) {
          if (!job.find_ranks()) return false;
        }
        return true;
      },
      120s);
  if (!started) {
    for (auto& job : jobs) {
      job.command->wait(0ms);
      errors.push_back(job.tag + " did not start its 3 ranks within 120 s: " + job.command->output().substr(0, 2000));
    }
    const auto stragglers = left_behind(tags, 30s);
    errors.insert(errors.end(), stragglers.begin(), stragglers.end());
    return errors;
  }

  std::this_thread::sleep_for(uniform(random, 200ms, 2000ms));
  const Job& target = jobs[std::uniform_int_distribution<size_t>(0, jobs.size() - 1)(random)];
  std::vector<bool> hit(jobs.size(), false);
  const auto hit_target = [&] { hit[size_t(&target - jobs.data())] = true; };
  std::string what;
  const auto struck = Clock::now();
  switch (fault) {
    case Fault::function_rank:
      ::kill(target.function, SIGKILL);
      hit_target();
      what = target.tag + " rank 2";
      break;
    case Fault::batch_rank:
      ::kill(target.batch[1], SIGKILL);
      hit_target();
      what = target.tag + " rank 1";
      break;
    case Fault::owner_rank:
      ::kill(target.batch[0], SIGKILL);
      hit_target();
      what = target.tag + " rank 0, owner of rank 2";
      break;
    case Fault::spawner_stop: {
      const auto index = spawner_index_of(cluster, target.function_parent);
      if (!index) return {target.tag + "'s function rank does not run on a spawner"};
      const auto stopped_for = uniform(random, 2000ms, 5000ms);
      cluster.stop_spawner(*index);
      std::this_thread::sleep_for(stopped_for);
      cluster.continue_spawner(*index);
      what = "spawner " + std::to_string(*index) + " for " + std::to_string(stopped_for.count()) + " ms";
      break;
    }
    case Fault::spawner_kill: {
      const auto index = spawner_index_of(cluster, target.function_parent);
      if (!index) return {target.tag + "'s function rank does not run on a spawner"};
      for (size_t j = 0; j < jobs.size(); ++j) hit[j] = jobs[j].function_parent == target.function_parent;
      cluster.kill_spawner(*index);
      cluster.restart_spawner(*index);
      what = "spawner " + std::to_string(*index) + ", restarted after " + std::to_string(int(seconds_since(struck) * 1000)) + " ms";
      break;
    }
    case Fault::manager_kill: {
      const auto down = uniform(random, 300ms, 1500ms);
      cluster.restart_manager(down);
      what = "manager, restarted after " + std::to_string(down.count()) + " ms down";
      break;
    }
    case Fault::client: break;
  }

  const auto until = struck + std::chrono::seconds(exchange_seconds) + 120s;
  for (bool running = true; running && Clock::now() < until;) {
    running = false;
    for (auto& job : jobs) {
      if (job.status) continue;
      job.status = job.command->poll();
      if (job.status) {
        job.ended_after = seconds_since(struck);
      } else {
        running = true;
      }
    }
    std::this_thread::sleep_for(10ms);
  }
  size_t completed = 0;
  double slowest_hit = 0;
  const std::regex cause(expected_cause(fault));
  for (size_t j = 0; j < jobs.size(); ++j) {
    Job& job = jobs[j];
    if (!job.status) {
      job.command->wait(0ms);
      errors.push_back(job.tag + " hung: " + job.command->output().substr(0, 2000));
      continue;
    }
    const std::string output = job.command->output();
    if (!hit[j]) {
      if (*job.status == 0 && output.find("long-exchange") != std::string::npos && output.find(" ok") != std::string::npos) {
        ++completed;
      } else {
        errors.push_back(job.tag + ", not hit, failed (" + describe_wait_status(*job.status) + "): " + output.substr(0, 2000));
      }
      continue;
    }
    slowest_hit = std::max(slowest_hit, job.ended_after);
    if (*job.status == 0) {
      errors.push_back(job.tag + " succeeded although " + fault_name(fault) + " hit it");
    } else if (!std::regex_search(output, cause)) {
      errors.push_back(job.tag + "'s output does not name the cause (/" + expected_cause(fault) + "/): " + output.substr(0, 2000));
    }
    if (job.ended_after > double(chaos_deadline.count())) {
      errors.push_back(job.tag + " ended " + std::to_string(job.ended_after) + " s after the fault");
    }
  }
  const size_t hits = size_t(std::count(hit.begin(), hit.end(), true));
  std::printf("  chaos %-22s %-44s hit %zu job(s), ended within %4.1f s; %zu of %zu others completed\n", fault_name(fault),
              what.c_str(), hits, slowest_hit, completed, jobs.size() - hits);
  std::fflush(stdout);
  const auto stragglers = left_behind(tags, 15s);
  errors.insert(errors.end(), stragglers.begin(), stragglers.end());
  return errors;
}

/// The argument that marks the program a lease holder runs.
std::string program_tag_of(const std::string& holder_tag) { return holder_tag + "-program"; }

/// A client that holds a lease with a program on it dies: the program must go, and the
/// lease must end long before its expiry.
std::vector<std::string> strike_client(SoakCluster& cluster, std::mt19937_64& random, const ChaosPrograms& programs,
                                       const std::string& tag, const test::TempDir& dir) {
  Command holder({programs.soak, "--hold-lease", cluster.manager_address(), tag}, dir.file(tag + ".out"));
  const std::string program_tag = program_tag_of(tag);
  uint64_t lease_id = 0;
  const bool holding = test::eventually(
      [&] {
        const std::string output = holder.output();
        const auto at = output.find("holding lease ");
        if (at == std::string::npos) return false;
        lease_id = std::stoull(output.substr(at + 14));
        return !processes_tagged(program_tag).empty();
      },
      60s);
  if (!holding) {
    holder.wait(0ms);
    return {"the lease holder did not start its program: " + holder.output().substr(0, 2000)};
  }
  std::this_thread::sleep_for(uniform(random, 200ms, 2000ms));
  const auto struck = Clock::now();
  ::kill(holder.pid(), SIGKILL);
  holder.wait(10s);
  std::string reason;
  const bool ended = test::eventually(
      [&] {
        if (!processes_tagged(program_tag).empty()) return false;
        const Snapshot now = cluster.snapshot();
        for (const auto& lease : now.manager_status.at("leases")) {
          if (lease.at("id").get<uint64_t>() != lease_id) continue;
          if (lease.at("state") == "active") return false;
          reason = lease.at("state").get<std::string>() + ": " + lease.at("reason").get<std::string>();
          return true;
        }
        return false;
      },
      chaos_deadline);
  std::printf("  chaos %-22s %-44s its program and lease %llu ended in %.1f s: %s\n", fault_name(Fault::client),
              ("a client holding lease " + std::to_string(lease_id)).c_str(), static_cast<unsigned long long>(lease_id),
              seconds_since(struck), reason.c_str());
  std::fflush(stdout);
  if (!ended) {
    auto errors = left_behind({program_tag}, 0ms);
    errors.push_back("lease " + std::to_string(lease_id) + " or its program outlived its killed owner by " +
                     std::to_string(chaos_deadline.count()) + " s");
    return errors;
  }
  return {};
}

}  // namespace

PhaseResult chaos(SoakCluster& cluster, std::mt19937_64& random, const ChaosPrograms& programs, uint32_t round) {
  PhaseResult result;
  test::TempDir dir;
  std::array faults = all_faults;
  std::shuffle(faults.begin(), faults.end(), random);
  for (size_t i = 0; i < faults.size(); ++i) {
    const std::string tag = "chaos-" + std::to_string(::getpid()) + "-" + std::to_string(round) + "-" + std::to_string(i);
    std::vector<std::string> errors;
    try {
      errors = faults[i] == Fault::client ? strike_client(cluster, random, programs, tag, dir)
                                          : strike_jobs(cluster, random, programs, faults[i], tag, dir);
    } catch (const std::exception& error) {
      errors.push_back(error.what());
    }
    for (const auto& error : errors) result.errors.push_back(std::string(fault_name(faults[i])) + ": " + error);
    if (errors.empty()) ++result.done;
    if (!cluster.settle(60s)) result.errors.push_back(std::string(fault_name(faults[i])) + ": the cluster did not settle in 60 s");
  }
  return result;
}

void hold_lease(const std::string& soak, const std::string& manager, const std::string& tag) {
  auto client = Client::create(client_options(manager, {}));
  LeaseSpec spec;
  spec.cores = 1;
  spec.memory_mib = 64;
  spec.duration = 60s;
  Lease lease = client->lease(spec);
  Program program = client->spawn(lease, {soak, "--idle", program_tag_of(tag)});
  std::printf("holding lease %llu\n", static_cast<unsigned long long>(lease.id()));
  std::fflush(stdout);
  for (;;) ::pause();
}

}  // namespace ferry::soak
