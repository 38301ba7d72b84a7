// ferry-soak: loads one manager and several spawners with lease churn, expiring leases,
// MPI jobs with function ranks and one job with many function ranks alive at once, round
// after round; after each phase it waits for the cluster to settle and reads from /proc
// what every daemon holds. The first round warms up (with --long, the second sets the
// baseline); every later round must end each phase holding what the baseline held
// (descriptors, threads, children, directories, connections exactly; resident memory
// within a small slack), and the manager's accounting must equal what the spawners
// reported. With --chaos, each round ends with faults struck into running jobs and
// daemons (chaos.hpp). Exits 1 when anything grew or failed.

#include <unistd.h>

#include <boost/program_options.hpp>

#include <cstdio>
#include <cstring>
#include <iostream>
#include <functional>
#include <map>

#include "bench/soak/chaos.hpp"
#include "bench/soak/phases.hpp"
#include "bench/soak/soak_cluster.hpp"

namespace po = boost::program_options;
using namespace ferry::soak;
using namespace std::chrono_literals;

namespace {

struct Load {
  uint32_t rounds = 3;
  double minutes = 0;  ///< more full rounds until this much time has passed
  uint64_t leases = 300;
  uint32_t clients = 16;
  uint64_t expiring = 32;
  uint64_t jobs = 12;
  uint32_t job_functions = 2;
  uint32_t ranks = 12;
  uint32_t spawners = 4;
  uint32_t cores_per_spawner = 4;
};

Load long_load() {
  Load load;
  // A small warm-up round, a full round that sets the baseline (the manager keeps up to
  // 4,096 ended leases: it holds more after 10,000 than after 200), then full rounds
  // compared with it, for 30 minutes.
  load.rounds = 3;
  load.minutes = 30;
  load.leases = 10'000;
  load.expiring = 1'000;
  load.jobs = 1'000;
  load.ranks = 200;
  load.spawners = 10;
  load.cores_per_spawner = 20;
  return load;
}

/// RSS may move by what the allocator keeps; anything beyond this is growth.
bool rss_grew(uint64_t warm_kib, uint64_t now_kib) { return now_kib > warm_kib + std::max<uint64_t>(4096, warm_kib / 4); }

void print_header() {
  std::printf("%-5s %-8s %6s %5s | %-26s | %-44s | %s\n", "round", "phase", "done", "peak", "manager: fds thr MiB conn",
              "spawners: fds memfd thr MiB child dirs conn", "accounting");
}

void print_row(uint32_t round, const std::string& phase, const PhaseResult& result, const Snapshot& s,
               const std::vector<std::string>& accounting) {
  std::printf("%-5u %-8s %6llu %5llu | %5llu %3llu %5.1f %4llu       | %5llu %5llu %4llu %6.1f %5llu %4llu %4llu   | %s\n", round,
              phase.c_str(), static_cast<unsigned long long>(result.done),
              static_cast<unsigned long long>(result.peak_executors),
              static_cast<unsigned long long>(s.manager.descriptors), static_cast<unsigned long long>(s.manager.threads),
              static_cast<double>(s.manager.rss_kib) / 1024.0, static_cast<unsigned long long>(s.manager_connections),
              static_cast<unsigned long long>(s.spawners.descriptors), static_cast<unsigned long long>(s.spawners.memfds),
              static_cast<unsigned long long>(s.spawners.threads), static_cast<double>(s.spawners.rss_kib) / 1024.0,
              static_cast<unsigned long long>(s.spawners.children), static_cast<unsigned long long>(s.lease_directories),
              static_cast<unsigned long long>(s.spawner_connections), accounting.empty() ? "exact" : "WRONG");
  std::fflush(stdout);
}

/// What grew between the warm-up's snapshot of a phase and a later one.
std::vector<std::string> growth(const Snapshot& warm, const Snapshot& now) {
  std::vector<std::string> grew;
  auto exact = [&](const char* what, uint64_t before, uint64_t after) {
    if (after > before) grew.push_back(std::string(what) + " " + std::to_string(before) + " -> " + std::to_string(after));
  };
  exact("manager descriptors", warm.manager.descriptors, now.manager.descriptors);
  exact("manager threads", warm.manager.threads, now.manager.threads);
  exact("manager children", warm.manager.children, now.manager.children);
  exact("manager connections", warm.manager_connections, now.manager_connections);
  exact("spawner descriptors", warm.spawners.descriptors, now.spawners.descriptors);
  exact("spawner memfds", warm.spawners.memfds, now.spawners.memfds);
  exact("spawner threads", warm.spawners.threads, now.spawners.threads);
  exact("spawner children", warm.spawners.children, now.spawners.children);
  if (now.spawners.waiting_workers > now.spawner_statuses.size()) {
    grew.push_back("warm ferry-workers waiting: " + std::to_string(now.spawners.waiting_workers) + " at " +
                   std::to_string(now.spawner_statuses.size()) + " spawners that keep one each");
  }
  exact("lease directories", warm.lease_directories, now.lease_directories);
  exact("spawner connections", warm.spawner_connections, now.spawner_connections);
  if (rss_grew(warm.manager.rss_kib, now.manager.rss_kib)) {
    grew.push_back("manager RSS " + std::to_string(warm.manager.rss_kib) + " -> " + std::to_string(now.manager.rss_kib) + " KiB");
  }
  if (rss_grew(warm.spawners.rss_kib, now.spawners.rss_kib)) {
    grew.push_back("spawner RSS " + std::to_string(warm.spawners.rss_kib) + " -> " + std::to_string(now.spawners.rss_kib) + " KiB");
  }
  return grew;
}

}  // namespace

int main(int argc, char** argv) {
  // The roles chaos runs this program in: a program on a lease, and a lease's owner.
  if (argc == 3 && std::strcmp(argv[1], "--idle") == 0) {
    for (;;) ::pause();
  }
  if (argc == 4 && std::strcmp(argv[1], "--hold-lease") == 0) hold_lease(ferry::test::self_executable(), argv[2], argv[3]);
  if (argc == 5 && std::strcmp(argv[1], "--keep-lease") == 0) {
    try {
      return keep_lease(ferry::test::self_executable(), argv[2], argv[3], std::atoi(argv[4]));
    } catch (const std::exception& error) {
      std::printf("keeping a lease failed: %s\n", error.what());
      return 1;
    }
  }

  Load load;
  bool long_mode = false;
  bool with_chaos = false;
  uint64_t seed = std::random_device{}();
  std::string library, program;
  ChaosPrograms chaos_programs{.exchange = FERRY_SOAK_EXCHANGE, .soak = ferry::test::self_executable()};
  po::options_description options("ferry-soak: load a manager and spawners, and show that nothing leaks");
  options.add_options()("help", "this text")("long", po::bool_switch(&long_mode),
                                             "the full load: 10,000 leases, 1,000 expiring, 1,000 jobs, 200 ranks on 10 spawners")
      ("rounds", po::value(&load.rounds), "rounds, the first one warm-up")
      ("minutes", po::value(&load.minutes), "then more rounds until this many minutes have passed")
      ("leases", po::value(&load.leases), "leases granted, used and released per round")
      ("clients", po::value(&load.clients), "concurrent clients of the lease churn")
      ("expiring", po::value(&load.expiring), "leases left to expire per round")
      ("jobs", po::value(&load.jobs), "`ferry run` jobs per round")
      ("job-functions", po::value(&load.job_functions), "function ranks of each job")
      ("ranks", po::value(&load.ranks), "function ranks alive at once in the round's last job")
      ("spawners", po::value(&load.spawners), "spawners")
      ("cores-per-spawner", po::value(&load.cores_per_spawner), "cores each spawner leases out (oversubscribed)")
      ("library", po::value(&library)->default_value(FERRY_SOAK_LIBRARY), "library of functions executors load")
      ("program", po::value(&program)->default_value(FERRY_SOAK_PROGRAM), "MPI program the jobs run")
      ("chaos", po::bool_switch(&with_chaos), "end each round with every kind of fault, at random moments")
      ("seed", po::value(&seed), "seed of the chaos (default: random; printed)");
  po::variables_map values;
  try {
    po::store(po::parse_command_line(argc, argv, options), values);
    if (values.count("long")) long_mode = values["long"].as<bool>();
    if (long_mode) load = long_load();
    po::notify(values);
  } catch (const std::exception& error) {
    std::cerr << "ferry-soak: " << error.what() << "\n" << options;
    return 2;
  }
  if (values.count("help")) {
    std::cout << options;
    return 0;
  }
  if (load.rounds < (long_mode ? 3U : 2U) || load.ranks > load.spawners * load.cores_per_spawner) {
    std::cerr << "ferry-soak: needs a round to compare with the baseline (the first round, the second with --long) "
                 "and as many cores as --ranks\n";
    return 2;
  }

  std::vector<std::string> failures;
  try {
    SoakCluster cluster(load.spawners, load.cores_per_spawner);
    std::printf("ferry-soak: %u spawners x %u cores; per round %llu leases by %u clients, %llu expiring, "
                "%llu jobs of 1+%u ranks, 1 job of 1+%u ranks\n",
                load.spawners, load.cores_per_spawner, static_cast<unsigned long long>(load.leases), load.clients,
                static_cast<unsigned long long>(load.expiring), static_cast<unsigned long long>(load.jobs),
                load.job_functions, load.ranks);
    std::mt19937_64 random(seed);
    if (with_chaos) std::printf("ferry-soak: chaos seed %llu\n", static_cast<unsigned long long>(seed));
    print_header();
    std::map<std::string, Snapshot> warm;
    const auto started = std::chrono::steady_clock::now();
    const auto elapsed_minutes = [&] {
      return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count() / 60.0;
    };
    for (uint32_t round = 0; round < load.rounds || elapsed_minutes() < load.minutes; ++round) {
      const bool warm_up = round == 0;
      const bool baseline = round == (long_mode ? 1 : 0);
      auto scale = [&](uint64_t n) { return warm_up && long_mode ? std::max<uint64_t>(1, n / 50) : n; };
      std::vector<std::pair<std::string, std::function<PhaseResult()>>> phases{
          {"leases", [&] { return lease_churn(cluster, scale(load.leases), load.clients, library); }},
          {"expiry", [&] { return lease_expiry(cluster, scale(load.expiring)); }},
          {"jobs", [&] { return mpi_jobs(cluster, scale(load.jobs), load.job_functions, program); }},
          {"ranks", [&] { return mpi_jobs(cluster, 1, load.ranks, program); }},
      };
      if (with_chaos) phases.emplace_back("chaos", [&] { return chaos(cluster, random, chaos_programs, round); });
      for (const auto& [phase, run] : phases) {
        const PhaseResult result = run();
        for (const auto& error : result.errors) failures.push_back("round " + std::to_string(round) + " " + phase + ": " + error);
        if (!cluster.settle(60s)) failures.push_back("round " + std::to_string(round) + " " + phase + ": the cluster did not settle in 60 s");
        const Snapshot now = cluster.snapshot();
        const auto accounting = accounting_errors(now);
        print_row(round, phase, result, now, accounting);
        for (const auto& error : accounting) failures.push_back("round " + std::to_string(round) + " " + phase + ": " + error);
        if (baseline) {
          warm[phase] = now;
        } else if (warm.contains(phase)) {
          for (const auto& grew : growth(warm[phase], now)) {
            failures.push_back("round " + std::to_string(round) + " " + phase + ": " + grew);
          }
        }
      }
    }
  } catch (const std::exception& error) {
    failures.push_back(error.what());
  }
  if (failures.empty()) {
    std::printf("ferry-soak: no growth, exact accounting, every lease, job and rank did its work\n");
    return 0;
  }
  for (const auto& failure : failures) std::fprintf(stderr, "ferry-soak: %s\n", failure.c_str());
  return 1;
}
