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
#include "bench/soak/network_namespaces.hpp"
#include "bench/soak/process_resources.hpp"

namespace ferry::soak {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

enum class Fault { function_rank, batch_rank, owner_rank, client, spawner_stop, spawner_kill, manager_kill, network };

constexpr std::array all_faults{Fault::function_rank, Fault::batch_rank,   Fault::owner_rank,   Fault::client,
                                Fault::spawner_stop,  Fault::spawner_kill, Fault::manager_kill, Fault::network};

const char* fault_name(Fault fault) {
  switch (fault) {
    case Fault::function_rank: return "SIGKILL function rank";
    case Fault::batch_rank: return "SIGKILL batch rank";
    case Fault::owner_rank: return "SIGKILL owner rank";
    case Fault::client: return "SIGKILL lease owner";
    case Fault::spawner_stop: return "SIGSTOP spawner";
    case Fault::spawner_kill: return "SIGKILL spawner";
    case Fault::manager_kill: return "SIGKILL manager";
    case Fault::network: return "slow, lossy, dead link";
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
    case Fault::client:
    case Fault::network: break;
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

/// `ferry status --json` of the manager on the manager side of `net`.
std::optional<nlohmann::json> namespaced_status(const NamespacePair& net, const std::string& manager, const test::TempDir& dir) {
  Command status(net.on_manager_side({"env", "UCX_TLS=tcp,self", test::ferry_cli(), "status", "--manager", manager, "--json"}),
                 dir.file("status.json"));
  const auto exit = status.wait(30s);
  if (!exit || *exit != 0) return std::nullopt;
  // UCX may warn on stderr, which shares the file: the JSON is the line that opens with '{'.
  std::string output = status.output();
  const auto start = output.rfind('{', 0) == 0 ? 0 : output.find("\n{");
  if (start == std::string::npos) return std::nullopt;
  try {
    return nlohmann::json::parse(output.substr(start));
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

/// A spawner whose control connection goes over a link that turns slow, then lossy, then
/// dead, then comes back, while a client keeps a lease with a program on it: the lease
/// and its program must live on, and the spawner must be "up" again at the end.
std::vector<std::string> strike_network(std::mt19937_64& random, const ChaosPrograms& programs, const std::string& tag,
                                        const test::TempDir& dir) {
  if (const auto why = NamespacePair::unavailable()) {
    std::printf("  chaos %-22s skipped: %s\n", fault_name(Fault::network), why->c_str());
    return {};
  }
  NamespacePair net("fsk" + std::to_string(::getpid() % 1'000'000));
  const std::string secret = dir.file(tag + ".secret");
  test::make_secret(secret);
  // Between network namespaces UCX must be told to use TCP; it would find shared memory.
  const std::vector<std::string> tcp{"env", "UCX_TLS=tcp,self"};
  auto with_tcp = [&](std::vector<std::string> argv) {
    argv.insert(argv.begin(), tcp.begin(), tcp.end());
    return argv;
  };
  test::DaemonProcess manager(
      net.on_manager_side(with_tcp({test::ferry_cli(), "manager", "--secret-file", secret, "--listen",
                                    std::string(NamespacePair::manager_address) + ":0"})),
      "ferry manager listening on ");
  const std::string address = manager.after_marker();
  test::DaemonProcess spawner(
      net.on_spawner_side(with_tcp({test::ferry_cli(), "spawner", "--manager", address, "--secret-file", secret, "--listen",
                                    std::string(NamespacePair::spawner_address) + ":0", "--cores", "2", "--worker",
                                    test::ferry_worker(), "--work-root", dir.file(tag + "-work"), "--id", "chaos-net",
                                    "--grace-ms", "500", "--allow-root-owner"})),
      "ferry spawner ");
  const auto spawner_state = [&]() -> std::string {
    const auto status = namespaced_status(net, address, dir);
    if (!status) return "unknown";
    for (const auto& entry : status->at("spawners")) {
      if (entry.at("id") == "chaos-net") return entry.at("state").get<std::string>();
    }
    return "gone";
  };
  if (!test::eventually([&] { return spawner_state() == "up"; }, 30s)) return {"the spawner never registered across the link"};

  const int kept_seconds = 16;
  Command holder(net.on_manager_side(with_tcp({programs.soak, "--keep-lease", address, tag, std::to_string(kept_seconds)})),
                 dir.file(tag + ".out"));
  if (!test::eventually([&] { return holder.output().find("holding lease ") != std::string::npos; }, 30s)) {
    holder.wait(0ms);
    return {"the lease keeper did not start its program: " + holder.output().substr(0, 2000)};
  }
  const auto slow = uniform(random, 2000ms, 4000ms), lossy = uniform(random, 2000ms, 4000ms),
             dead = uniform(random, 3000ms, 4500ms);  // past 4 heartbeats: the manager notices
  std::this_thread::sleep_for(uniform(random, 200ms, 1000ms));
  net.slow_down(16);
  std::this_thread::sleep_for(slow);
  net.restore();
  net.lose(0.3);
  std::this_thread::sleep_for(lossy);
  net.restore();
  net.lose(1);
  const auto dead_since = Clock::now();
  std::this_thread::sleep_for(dead - 500ms);
  const std::string state_in_outage = spawner_state();  // its manager is reachable: same side
  std::this_thread::sleep_until(dead_since + dead);
  net.restore();

  std::vector<std::string> errors;
  const auto status = holder.wait(std::chrono::seconds(kept_seconds) + 60s);
  if (!status || *status != 0) errors.push_back("the lease did not live through the outage: " + holder.output().substr(0, 2000));
  if (!test::eventually([&] { return spawner_state() == "up"; }, 30s)) errors.push_back("the spawner is not up after the outage");
  std::string kept = holder.output();
  if (const auto at = kept.find("kept lease"); at != std::string::npos) kept = kept.substr(at, kept.find('\n', at) - at);
  std::printf("  chaos %-22s slow %.1f s, 30%% loss %.1f s, dead %.1f s (spawner %s), up again; %s\n",
              fault_name(Fault::network), double(slow.count()) / 1000, double(lossy.count()) / 1000,
              double(dead.count()) / 1000, state_in_outage.c_str(), kept.c_str());
  std::fflush(stdout);
  spawner.stop();
  manager.stop();
  const auto stragglers = left_behind({program_tag_of(tag)}, 15s);
  errors.insert(errors.end(), stragglers.begin(), stragglers.end());
  return errors;
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
      switch (faults[i]) {
        case Fault::client: errors = strike_client(cluster, random, programs, tag, dir); break;
        case Fault::network: errors = strike_network(random, programs, tag, dir); break;
        default: errors = strike_jobs(cluster, random, programs, faults[i], tag, dir); break;
      }
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

int keep_lease(const std::string& soak, const std::string& manager, const std::string& tag, int seconds) {
  auto client = Client::create(client_options(manager, {}));
  LeaseSpec spec;
  spec.cores = 1;
  spec.memory_mib = 64;
  spec.duration = 10s;  // renewed every second: an outage of a few seconds must not end it
  Lease lease = client->lease(spec);
  Program program = client->spawn(lease, {soak, "--idle", program_tag_of(tag)});
  std::printf("holding lease %llu\n", static_cast<unsigned long long>(lease.id()));
  std::fflush(stdout);
  unsigned renewed = 0, failed = 0;
  const auto until = Clock::now() + std::chrono::seconds(seconds);
  while (Clock::now() < until) {
    if (const auto exit = program.wait(1000ms)) {
      std::printf("the program ended under its kept lease: %s\n", exit->reason.c_str());
      return 1;
    }
    try {
      lease.renew(10s);
      ++renewed;
    } catch (const std::exception& error) {
      ++failed;
      std::printf("a renewal failed: %s\n", error.what());
      std::fflush(stdout);
    }
  }
  lease.release();
  const auto exit = program.wait(30s);
  std::printf("kept lease %llu for %d s (%u renewals, %u failed); then released: %s\n",
              static_cast<unsigned long long>(lease.id()), seconds, renewed, failed,
              exit ? exit->reason.c_str() : "the program did not end");
  return exit && exit->reason.find("released") != std::string::npos ? 0 : 1;
}

}  // namespace ferry::soak
