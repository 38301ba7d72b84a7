#include <iostream>

#include "runtime/client/embedded_cluster.hpp"
#include "runtime/cli/options.hpp"
#include "runtime/lease/munge_credential.hpp"
#include "spawner/daemon/slurm_job.hpp"
#include "spawner/daemon/spawner.hpp"

namespace ferry::cli {

namespace {
std::vector<int> parse_cpu_list(const std::string& text) {
  std::vector<int> cpus;
  std::stringstream stream(text);
  for (std::string item; std::getline(stream, item, ',');) {
    const auto dash = item.find('-');
    const int first = std::stoi(item.substr(0, dash));
    const int last = dash == std::string::npos ? first : std::stoi(item.substr(dash + 1));
    for (int cpu = first; cpu <= last; ++cpu) cpus.push_back(cpu);
  }
  return cpus;
}

bool parse_spawner_settings(const Arguments& args, spawner::Settings& settings) {
  std::string listen = "127.0.0.1:0";
  std::string manager;
  std::string secret_file;
  std::string cpus;
  unsigned cores = 0;
  unsigned grace_ms = 1000;
  unsigned silent_ms = 30000;
  std::string auth = "none";
  bool slurm = false;
  po::options_description options(
      "ferry spawner: starts executors pinned to leased cores, under leased memory, for valid lease tokens");
  options.add_options()
      ("manager", po::value(&manager), "manager to register with, host:port; without one the spawner grants leases on itself")
      ("listen", po::value(&listen)->default_value(listen), "address to listen on, host:port (port 0: any free port)")
      ("id", po::value(&settings.id), "unique name of this spawner (default: host:pid; with --slurm: node:slurm-JOB)")
      ("node", po::value(&settings.node), "name of the node it serves, as leases' placement and `ferry status` name it "
       "(default: the host name; with --slurm: Slurm's node name)")
      ("slurm", po::bool_switch(&slurm),
       "run as a Slurm job that harvests an idle node: serve the node, cores (SLURM_CPUS_ON_NODE) and memory "
       "(SLURM_MEM_PER_NODE) of the job; when Slurm reclaims the node (SIGTERM at preemption or before the time "
       "limit), leave the manager and end the executors with the reason \"node reclaimed by Slurm\"")
      ("secret-file", po::value(&secret_file), "cluster secret (mode 0600); required with --manager, random without")
      ("cores", po::value(&cores), "number of cores to lease out (default: all this process may use; more than the CPUs oversubscribes them)")
      ("cpus", po::value(&cpus), "exact CPUs to lease out, e.g. 2-7,10")
      ("memory", po::value(&settings.memory_mib), "MiB of memory to lease out (default: physical memory)")
      ("worker", po::value(&settings.worker_executable), "path of ferry-worker (default: next to ferry, or FERRY_WORKER)")
      ("work-root", po::value(&settings.work_root), "directory for per-lease working directories (default: a new one in /tmp)")
      ("grace-ms", po::value(&grace_ms)->default_value(grace_ms), "time between SIGTERM and SIGKILL when a lease ends")
      ("file-cache-mib", po::value(&settings.file_cache_mib)->default_value(settings.file_cache_mib),
       "memory for shipped files kept by content hash (function libraries, --ship programs and libraries); "
       "the least recently used are dropped beyond it")
      ("warm-workers", po::value(&settings.warm_workers)->default_value(settings.warm_workers),
       "ferry-workers kept started, their UCX set up, for the next function executors (run as this spawner's "
       "user); 0: each starts cold")
      ("silent-connection-ms", po::value(&silent_ms)->default_value(silent_ms),
       "a connection that sends nothing for this long after it is made is closed")
      ("auth", po::value(&auth)->default_value(auth),
       "without --manager: how the owner of a lease request is proven: none (the uid the client claims) or munge "
       "(the uid of the request's munge credential)")
      ("munge-socket", po::value(&settings.owner_check.munge_socket),
       "munged's socket for --auth munge (default: FERRY_MUNGE_SOCKET, then munge's own default)")
      ("cgroup", po::value(&settings.cgroup),
       "cgroup v2 directory to make a cgroup per lease in (memory.max = the lease's memory); default: this "
       "process's own cgroup when it is delegated with the memory controller; none: RLIMIT_DATA only")
      ("cpu-quota-percent", po::value(&settings.cpu_quota_percent),
       "with cgroups: cpu.max of each lease, in percent of its cores (default 0: no quota)")
      ("allow-root-owner", po::bool_switch(&settings.allow_root_owner),
       "run as root the executors of leases that root owns (a spawner run as root refuses them otherwise)");
  po::variables_map values;
  if (!parse_options(args, "ferry spawner [--manager HOST:PORT --secret-file FILE] [options]", options, values)) return false;
  settings.listen = ucx::SocketAddress::parse(listen);
  settings.owner_check.authentication = lease::parse_authentication(auth);
  settings.owner_check.munge_socket = lease::munge_socket_path(settings.owner_check.munge_socket);
  if (!manager.empty() && settings.owner_check.authentication != lease::Authentication::none) {
    throw Error(Errc::invalid_argument, "--auth is for a spawner without --manager: the manager proves lease owners");
  }
  if (!manager.empty()) {
    if (secret_file.empty()) throw Error(Errc::invalid_argument, "--manager needs --secret-file (the manager's secret)");
    settings.manager = ucx::SocketAddress::parse(manager);
  }
  settings.secret = secret_file.empty() ? lease::Secret::generate() : lease::Secret::load(secret_file);
  if (!cpus.empty()) settings.cpus = parse_cpu_list(cpus);
  if (settings.worker_executable.empty()) settings.worker_executable = client::default_worker_executable();
  if (slurm) spawner::apply_slurm_job(settings, spawner::read_slurm_job());
  settings.grace = std::chrono::milliseconds(grace_ms);
  settings.warm_at_start = true;
  settings.silent_connection_timeout = std::chrono::milliseconds(std::max(silent_ms, 1U));
  spawner::apply_machine_defaults(settings);
  spawner::fit_cpus_to_cores(settings.cpus, cores);
  return true;
}
}  // namespace

int run_spawner_command(const Arguments& args) {
  spawner::Settings settings;
  if (!parse_spawner_settings(args, settings)) return 0;
  block_termination_signals();
  spawner::Spawner spawner(settings);
  std::cout << "ferry spawner " << spawner.settings().id << " listening on " << spawner.address().to_string()
            << std::endl;
  run_until_signalled(spawner);
  std::cout << "ferry spawner " << spawner.settings().id << " stopped" << std::endl;
  return 0;
}

}  // namespace ferry::cli
