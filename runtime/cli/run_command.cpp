// ferry run: starts the batch ranks with mpirun or srun, the shim preloaded, and lets
// them lease the function ranks (from an embedded cluster when none is named).
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <thread>

#include "runtime/cli/options.hpp"
#include "runtime/cli/run_launcher.hpp"
#include "runtime/cli/run_shim_location.hpp"
#include "runtime/cli/run_summary.hpp"
#include "runtime/cli/srun_task_failures.hpp"
#include "runtime/client/client.hpp"
#include "runtime/client/embedded_cluster.hpp"
#include "runtime/common/error.hpp"
#include "runtime/common/log.hpp"
#include "runtime/common/host_name.hpp"
#include "runtime/common/trace.hpp"
#include "runtime/ucx/socket_address.hpp"

namespace ferry::cli {

namespace {
namespace fs = std::filesystem;

constexpr auto lease_end_wait = std::chrono::seconds(3);
constexpr const char* usage =
    "ferry run -n B --functions F [--manager HOST:PORT | --spawners LIST] [--launcher mpirun|srun] [--ship]\n"
    "                 [--mode auto|hot|warm|adaptive] [--launcher-arg ARG ...] -- PROGRAM ARGS...";

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> items;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = std::min(text.find(',', start), text.size());
    if (comma > start) items.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return items;
}

void check_run_options(const RunOptions& options, const po::variables_map& values) {
  if (options.batch_ranks == 0) throw Error(Errc::invalid_argument, "-n must be at least 1");
  if (options.mode != "hot" && options.mode != "warm" && options.mode != "adaptive" && options.mode != "auto") {
    throw Error(Errc::invalid_argument, "--mode must be hot, warm, adaptive or auto, not '" + options.mode + "'");
  }
  if (values.count("manager") != 0 && values.count("spawners") != 0) {
    throw Error(Errc::invalid_argument, "--manager and --spawners exclude each other");
  }
  if (values.count("spawners") != 0 && options.spawners.empty()) {
    throw Error(Errc::invalid_argument, "--spawners needs at least one host:port");
  }
  // Checked here: a job whose ranks find it malformed ends only after mpirun has started them.
  try {
    if (options.manager) ucx::SocketAddress::parse(*options.manager);
    for (const auto& spawner : options.spawners) ucx::SocketAddress::parse(spawner);
  } catch (const Error& error) {
    throw Error(Errc::invalid_argument, std::string(values.count("manager") ? "--manager: " : "--spawners: ") + error.what());
  }
  if (options.program.empty()) throw Error(Errc::invalid_argument, "no program given; usage: " + std::string(usage));
}

bool parse_run_options(const Arguments& args, RunOptions& options) {
  const auto separator = std::find(args.begin(), args.end(), "--");
  const Arguments own(args.begin(), separator);
  if (separator != args.end()) options.program.assign(separator + 1, args.end());
  std::string manager, spawners, launcher = "mpirun";
  po::options_description description(
      "ferry run: runs an MPI program with B batch ranks (mpirun/srun) and F function ranks on leased executors");
  description.add_options()
      ("ranks,n", po::value(&options.batch_ranks)->required(), "batch ranks to start with the launcher")
      ("functions", po::value(&options.function_ranks)->default_value(0), "function ranks to run on leased executors")
      ("manager", po::value(&manager), "manager to lease from, host:port (default: an embedded one)")
      ("spawners", po::value(&spawners), "stand-alone spawners to lease from, host:port,...")
      ("launcher", po::value(&launcher)->default_value(launcher), "mpirun or srun")
      ("ship", po::bool_switch(&options.ship), "ship the program and the libraries it needs to function ranks' nodes that lack them (nodes without a shared file system)")
      ("mode", po::value(&options.mode)->default_value(options.mode), "how ranks wait: auto (chosen from who shares their cores), hot, warm or adaptive")
      ("launcher-arg", po::value(&options.launcher_args), "extra argument for the launcher (repeatable; write --launcher-arg=VALUE when VALUE starts with -)");
  po::variables_map values;
  if (!parse_options(own, usage, description, values)) return false;
  if (separator == args.end()) throw Error(Errc::invalid_argument, "missing '-- PROGRAM ARGS...'; usage: " + std::string(usage));
  if (launcher != "mpirun" && launcher != "srun") {
    throw Error(Errc::invalid_argument, "--launcher must be mpirun or srun, not '" + launcher + "'");
  }
  options.launcher = launcher == "srun" ? Launcher::srun : Launcher::mpirun;
  if (values.count("manager") != 0) options.manager = manager;
  options.spawners = split_list(spawners);
  check_run_options(options, values);
  return true;
}

/// A private directory for the batch ranks' reports, removed with everything in it.
class ReportDirectory {
 public:
  ReportDirectory() {
    std::string pattern = (fs::temp_directory_path() / "ferry-run-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw_system_error("mkdtemp " + pattern);
    path_ = pattern;
  }
  ReportDirectory(const ReportDirectory&) = delete;
  ReportDirectory& operator=(const ReportDirectory&) = delete;
  ~ReportDirectory() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string job_id() {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::system_clock::now().time_since_epoch()).count();
  return "run-" + host_name() + "-" + std::to_string(::getpid()) + "-" + std::to_string(ms);
}

JobEnvironment job_environment(const RunOptions& options, const std::string& manager, const std::string& job,
                               const std::string& reports) {
  JobEnvironment environment;
  environment.preload = find_mpi_shim();
  if (const char* user = std::getenv("LD_PRELOAD"); user != nullptr && *user != '\0') {
    environment.preload += ":" + std::string(user);
  }
  auto& variables = environment.variables;
  variables.emplace_back("FERRY_FUNCTIONS", std::to_string(options.function_ranks));
  if (!manager.empty()) variables.emplace_back("FERRY_MANAGER", manager);
  if (!options.spawners.empty()) {
    std::string list;
    for (const auto& spawner : options.spawners) list += (list.empty() ? "" : ",") + spawner;
    variables.emplace_back("FERRY_SPAWNERS", list);
  }
  variables.emplace_back("FERRY_MODE", options.mode);
  variables.emplace_back("FERRY_JOB", job);
  variables.emplace_back("FERRY_REPORT", reports);
  if (options.ship) variables.emplace_back("FERRY_SHIP", "1");
  for (const std::string& variable : trace::environment()) {
    const size_t equals = variable.find('=');
    variables.emplace_back(variable.substr(0, equals), variable.substr(equals + 1));
  }
  return environment;
}

/// Cores the single-machine default keeps for ranks a program spawns: FERRY_LOCAL_CORES,
/// else the machine's CPUs.
uint32_t spare_cores_for_spawns() {
  if (const char* text = std::getenv("FERRY_LOCAL_CORES"); text != nullptr && *text != '\0') {
    const long cores = std::strtol(text, nullptr, 10);
    if (cores >= 0 && cores <= 4096) return uint32_t(cores);
  }
  const long online = ::sysconf(_SC_NPROCESSORS_ONLN);
  return online > 0 ? uint32_t(online) : 1U;
}

/// Asks the manager (the embedded one directly, else over a connection, or the first
/// spawner) what the job's leases cost, giving the batch ranks' releases a moment to
/// arrive; empty when nobody answers.
std::optional<BilledLeases> query_billing(const RunOptions& options, client::EmbeddedCluster* cluster,
                                          const std::string& manager, const std::string& job) {
  ClientOptions client_options;
  if (!manager.empty()) client_options.manager = manager;
  client_options.spawners = options.spawners;
  client_options.mode = WaitMode::warm;
  client_options.timeout = std::chrono::milliseconds(2000);
  try {
    std::unique_ptr<Client> client;
    if (cluster == nullptr) client = Client::create(client_options);
    const auto deadline = std::chrono::steady_clock::now() + lease_end_wait;
    for (;;) {
      BilledLeases billed = billed_leases(cluster != nullptr ? cluster->status() : client->status(), job);
      if (billed.all_ended || std::chrono::steady_clock::now() > deadline) return billed;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  } catch (const std::exception& error) {
    spdlog::warn("the job's billing could not be read from {}: {}", manager.empty() ? "the spawners" : manager,
                 error.what());
    return std::nullopt;
  }
}

JobSummary summarize(const RunOptions& options, client::EmbeddedCluster* cluster, const std::string& manager,
                     const std::string& job, const std::string& reports, double wall_seconds) {
  JobSummary summary;
  summary.batch_ranks = options.batch_ranks;
  summary.function_ranks = options.function_ranks;
  summary.wall_seconds = wall_seconds;
  if (options.function_ranks != 0) {
    if (auto billed = query_billing(options, cluster, manager, job)) {
      summary.leases = billed->leases;
      summary.billed_core_seconds = billed->billed_core_seconds;
    }
  }
  try {
    merge_rank_reports(reports, summary);
  } catch (const Error& error) {
    spdlog::warn("{}", error.what());
  }
  // A plain job that spawned nothing leased nothing.
  if (!summary.billed_core_seconds && options.function_ranks == 0) summary.billed_core_seconds = 0.0;
  return summary;
}

/// Under FERRY_TRACE, every process of the job records its phases in `reports`.
void trace_into(const std::string& reports) {
  if (!trace::enabled()) return;
  ::setenv("FERRY_TRACE_DIR", reports.c_str(), 1);
  trace::set_process_name("ferry run");
}

int run_job(const RunOptions& options) {
  const ReportDirectory reports;
  trace_into(reports.path());
  trace::phase("started");
  std::unique_ptr<client::EmbeddedCluster> cluster;
  if (options.function_ranks != 0 && !options.manager && options.spawners.empty()) {
    // One core per function rank, even past the machine's CPUs (they are then shared),
    // and the machine's (or FERRY_LOCAL_CORES) for ranks the program spawns.
    // The launcher starts while the spawner registers: the manager holds the ranks' lease
    // requests until it has.
    cluster = std::make_unique<client::EmbeddedCluster>(uint32_t(options.function_ranks) + spare_cores_for_spawns(),
                                                        client::default_worker_executable(),
                                                        client::EmbeddedCluster::Registration::in_background);
    trace::phase("embedded manager and spawner started");
  }
  const std::string manager = cluster ? cluster->manager_address() : options.manager.value_or("");
  const std::string job = job_id();
  const JobEnvironment environment = job_environment(options, manager, job, reports.path());
  const auto started = std::chrono::steady_clock::now();
  int exit_code = 1;
  {
    std::optional<SrunStderrReader> srun_stderr;
    if (options.launcher == Launcher::srun) srun_stderr.emplace();
    LauncherProcess launcher(launcher_command(options, environment), launcher_environment(environment),
                             srun_stderr ? srun_stderr->write_end() : -1);
    if (srun_stderr) srun_stderr->start();
    trace::phase("launcher started");
    exit_code = launcher.wait_forwarding_signals();
    if (srun_stderr) exit_code = srun_exit_code(exit_code, srun_stderr->finish());
  }
  trace::phase("launcher exited");
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const JobSummary summary = summarize(options, cluster.get(), manager, job, reports.path(), wall);
  trace::phase("billing read");
  cluster.reset();
  kill_remaining_children();
  trace::phase("done");
  if (trace::enabled()) std::cerr << trace::format_timeline(trace::read_directory(reports.path()), trace::origin_us());
  std::cerr << format_summary(summary) << std::endl;
  return exit_code;
}
}  // namespace

int run_run_command(const Arguments& args) {
  if (trace::enabled()) ::setenv("FERRY_TRACE_ORIGIN", std::to_string(trace::now_us()).c_str(), 1);
  RunOptions options;
  if (!parse_run_options(args, options)) return 0;
  block_launcher_signals();
  become_subreaper();
  int exit_code = 1;
  try {
    exit_code = run_job(options);
  } catch (...) {
    kill_remaining_children();
    throw;
  }
  return exit_code;
}

}  // namespace ferry::cli
