// MPI_Comm_spawn, MPI_Comm_spawn_multiple and MPI_Comm_get_parent: the children start as
// function ranks on freshly leased executors, in a world of their own.

#include <mpi.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>

#include "mpi_shim/bootstrap.hpp"
#include "mpi_shim/communicator.hpp"
#include "mpi_shim/dynamic/intercomm.hpp"
#include "mpi_shim/dynamic/local_group.hpp"
#include "mpi_shim/dynamic/process_failures.hpp"
#include "mpi_shim/dynamic/spawn_protocol.hpp"
#include "mpi_shim/dynamic/spawn_service.hpp"
#include "mpi_shim/dynamic/spawned_world.hpp"
#include "mpi_shim/errors.hpp"
#include "mpi_shim/job_settings.hpp"
#include "mpi_shim/surface/implementations.hpp"
#include "mpi_shim/transfer.hpp"
#include "mpi_shim/transport.hpp"
#include "runtime/common/environment.hpp"
#include "runtime/common/error.hpp"
#include "runtime/common/hex.hpp"
#include "runtime/common/host_name.hpp"
#include "runtime/common/random_bytes.hpp"

namespace ferry::mpi {
namespace {

/// One command of a spawn: what MPI_Comm_spawn_multiple takes per entry.
struct Command {
  std::string command;
  std::vector<std::string> arguments;
  int count = 0;
  MPI_Info info = MPI_INFO_NULL;
};

std::string info_value(MPI_Info info, const char* key) {
  if (info == MPI_INFO_NULL) return {};
  int length = 0, flag = 0;
  PMPI_Info_get_valuelen(info, key, &length, &flag);
  if (flag == 0) return {};
  std::string value(size_t(length) + 1, '\0');
  PMPI_Info_get(info, key, length + 1, value.data(), &flag);
  value.resize(size_t(length));
  return value;
}

bool executable(const std::string& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

/// The program's absolute path: relative to `directory` when it names a path, else found
/// in the info key `path`'s directories, then in PATH. Throws Error(not_found).
std::string resolve_program(const std::string& command, const std::string& directory, const std::string& path_key) {
  if (command.find('/') != std::string::npos) {
    const std::string path = command[0] == '/' ? command : directory + "/" + command;
    if (!executable(path)) throw Error(Errc::not_found, "the program " + path + " does not exist or is not executable");
    return path;
  }
  std::string search = path_key;
  if (const char* path = std::getenv("PATH")) search += (search.empty() ? "" : ":") + std::string(path);
  std::stringstream entries(search);
  std::string entry;
  while (std::getline(entries, entry, ':')) {
    if (entry.empty()) continue;
    const std::string candidate = (entry[0] == '/' ? entry : directory + "/" + entry) + "/" + command;
    if (executable(candidate)) return candidate;
  }
  throw Error(Errc::not_found, "the program " + command + " was not found in " + (search.empty() ? "PATH" : search));
}

std::string current_directory() {
  char cwd[PATH_MAX];
  return ::getcwd(cwd, sizeof cwd) != nullptr ? std::string(cwd) : std::string("/");
}

/// The variables a child needs beyond its role: where to lease (so that it can spawn in
/// turn), the job's name and report directory, and the single-machine default's size.
std::vector<std::string> inherited_environment(const std::string& manager) {
  std::vector<std::string> env;
  if (!manager.empty()) env.push_back("FERRY_MANAGER=" + manager);
  for (const char* name :
       {"FERRY_SPAWNERS", "FERRY_JOB", "FERRY_REPORT", "FERRY_LOCAL_CORES", "FERRY_MEMORY_MIB", "FERRY_SHIP"}) {
    if (const auto value = environment_variable(name)) env.push_back(std::string(name) + "=" + *value);
  }
  return env;
}

std::chrono::milliseconds connect_timeout() {
  if (const char* text = std::getenv("FERRY_SPAWN_TIMEOUT"); text != nullptr && *text != '\0') {
    const long seconds = std::strtol(text, nullptr, 10);
    if (seconds > 0) return std::chrono::seconds(seconds);
  }
  return std::chrono::seconds(60);
}

uint32_t next_spawn_id() {
  static uint32_t counter = 0;
  // The id only has to differ between this process's spawns; it names their messages.
  counter = counter % ((1U << 23) - 2) + 1;
  return counter;
}

/// Why the children of spawn `order_id` cannot all connect (one failed or exited, or
/// the time is up), or nothing yet.
std::string why_children_failed(SpawnService& service, uint64_t order_id, std::chrono::steady_clock::time_point deadline) {
  for (const ChildState& state : service.states(order_id)) {
    if (state.status == ChildStatus::failed || state.status == ChildStatus::exited) {
      return state.reason.empty() ? "a child exited before it connected" : state.reason;
    }
  }
  if (std::chrono::steady_clock::now() <= deadline) return {};
  return "the children did not connect within " +
         std::to_string(std::chrono::duration_cast<std::chrono::seconds>(connect_timeout()).count()) +
         " s (FERRY_SPAWN_TIMEOUT)";
}

/// The root's part: leases and starts the children, waits for each one's hello, and
/// sends them the table. Never throws: a failure becomes the outcome's `failure`.
SpawnOutcome spawn_children(const std::vector<Command>& commands, const GroupDescription& parents,
                             bool parents_handle_errors, uint64_t& order_id) {
  SpawnOutcome outcome;
  size_t total = 0;
  for (const Command& command : commands) total += size_t(command.count);
  outcome.errcodes.assign(total, MPI_ERR_SPAWN);
  const JobSettings settings = read_job_settings();
  uint32_t spawn_id = 0;
  order_id = 0;
  SpawnService* service = nullptr;
  try {
    Bytes secret(spawn_secret_size);
    fill_random(secret);
    spawn_id = next_spawn_id();
    service = &SpawnService::instance();
    const std::string preload = preload_for_function_ranks();
    const std::vector<std::string> inherited = inherited_environment(service->manager_address());
    SpawnOrder order;
    order.parents_handle_errors = parents_handle_errors;
    int rank = 0;
    for (const Command& command : commands) {
      const std::string wdir_key = info_value(command.info, "wdir");
      const std::string directory = wdir_key.empty() ? current_directory()
                                    : wdir_key[0] == '/' ? wdir_key
                                                         : current_directory() + "/" + wdir_key;
      const std::string program = resolve_program(command.command, directory, info_value(command.info, "path"));
      std::string host = info_value(command.info, "host");
      if (host == "localhost") host = host_name();
      const std::string mode_key = info_value(command.info, "ferry_mode");
      const ucx::WaitMode mode = mode_key.empty() ? transport().mode() : ucx::parse_wait_mode(mode_key);
      const std::string lease_key = info_value(command.info, "ferry_lease_seconds");
      if (!lease_key.empty()) {
        const long seconds = std::strtol(lease_key.c_str(), nullptr, 10);
        if (seconds < 2) throw Error(Errc::invalid_argument, "ferry_lease_seconds=" + lease_key + " is not a number >= 2");
        order.lease_duration = std::chrono::seconds(seconds);
      } else {
        order.lease_duration = settings.lease_duration;
      }
      for (int i = 0; i < command.count; ++i, ++rank) {
        ChildProgram child;
        child.argv.push_back(program);
        child.argv.insert(child.argv.end(), command.arguments.begin(), command.arguments.end());
        child.working_directory = directory;
        child.placement = host;
        child.name = "spawned rank " + std::to_string(rank) + " (" + command.command + ")";
        child.env = {"FERRY_ROLE=function",
                     "FERRY_SPAWN_ID=" + std::to_string(spawn_id),
                     "FERRY_RANK=" + std::to_string(rank),
                     "FERRY_BATCH_RANKS=0",
                     "FERRY_FUNCTIONS=" + std::to_string(total),
                     "FERRY_OWNER_ADDRESS=" + to_hex(transport().address()),
                     "FERRY_JOB_SECRET=" + to_hex(secret),
                     "FERRY_MODE=" + std::string(ucx::wait_mode_name(mode)),
                     "OMPI_MCA_ess_singleton_isolated=1",
                     "OMPI_MCA_btl=self",
                     "OMPI_MCA_pml=ob1"};
        if (!preload.empty()) child.env.push_back("LD_PRELOAD=" + preload);
        child.env.insert(child.env.end(), inherited.begin(), inherited.end());
        order.children.push_back(std::move(child));
      }
    }
    order_id = service->start(std::move(order));

    // Each child's hello, until all have come, one has failed, or the time is up.
    std::vector<SpawnHello> hellos(total);
    std::vector<int> children(total, -1);
    size_t received = 0;
    const auto deadline = std::chrono::steady_clock::now() + connect_timeout();
    while (received < total) {
      // The children's failures come from the service's thread, not from UCX: look at
      // them every few milliseconds.
      const std::optional<Bytes> data = receive_whole_until(spawn_hello_tag(spawn_id, 0), full_mask & ~source_field,
                                                            Deadline::after(std::chrono::milliseconds(5)));
      if (!data) {
        if (const std::string failure = why_children_failed(*service, order_id, deadline); !failure.empty()) {
          throw Error(Errc::executor_dead, failure);
        }
        continue;
      }
      SpawnHello hello;
      try {
        hello = decode_hello(*data);
      } catch (const Error&) {
        continue;
      }
      if (hello.secret != secret || hello.rank >= total || children[hello.rank] != -1) {
        std::fprintf(stderr, "ferry: rank %d: refused a spawn connection without the spawn's secret\n", world().rank);
        continue;
      }
      children[hello.rank] = transport().process_of(hello.address);
      outcome.errcodes[hello.rank] = MPI_SUCCESS;
      hellos[hello.rank] = std::move(hello);
      ++received;
    }

    SpawnTable table;
    for (const SpawnHello& hello : hellos) table.children.push_back(hello.address);
    table.parents = parents;
    const Bytes encoded = encode(table);
    for (int child : children) send_whole(child, spawn_table_tag(spawn_id), encoded);
    outcome.children.context_id = hellos[0].context_id;
    outcome.children.addresses = table.children;
  } catch (const std::exception& error) {
    if (service != nullptr && order_id != 0) {
      service->abandon(order_id);
      forget_spawn(order_id);
      order_id = 0;
    }
    outcome.failure = error.what();
    for (int32_t& code : outcome.errcodes) code = MPI_ERR_SPAWN;
  }
  return outcome;
}

/// MPI_ERR_SPAWN whose MPI_Error_string says why, for programs that handle the error.
int spawn_error(const char* function, const std::string& why) {
  return explained_code(MPI_ERR_SPAWN, std::string(function) + " failed: " + why);
}

int spawn(const std::vector<Command>& root_commands, int root, MPI_Comm comm, MPI_Comm* intercomm, int* errcodes,
          const char* function) {
  if (comm == MPI_COMM_NULL) return raise(nullptr, MPI_ERR_COMM, function);
  Comm* hybrid_comm = hybrid(comm);
  if (hybrid_comm != nullptr && hybrid_comm->inter()) return raise(hybrid_comm, MPI_ERR_COMM, function);
  uint32_t context_id = 0, local_context_id = 0;
  try {
    connect_transport();
    LocalGroup local(comm);
    if (root < 0 || root >= local.size()) return raise_on(comm, MPI_ERR_ROOT, function, "root out of range");
    context_id = agree_within(local);
    local_context_id = agree_within(local);
    Bytes outcome_bytes;
    const HeldErrhandler errhandler = local.errhandler();
    uint64_t order_id = 0;
    if (local.rank() == root) {
      GroupDescription parents;
      parents.context_id = context_id;
      for (int process : local.processes()) parents.addresses.push_back(transport().address_of(process));
      outcome_bytes = encode(spawn_children(root_commands, parents, errhandler != MPI_ERRORS_ARE_FATAL, order_id));
    }
    local.bcast(outcome_bytes, root);
    const SpawnOutcome outcome = decode_outcome(outcome_bytes);
    if (errcodes != MPI_ERRCODES_IGNORE) {
      for (size_t i = 0; i < outcome.errcodes.size(); ++i) errcodes[i] = outcome.errcodes[i];
    }
    if (!outcome.failure.empty()) {
      release_context_id(context_id);
      release_context_id(local_context_id);
      *intercomm = MPI_COMM_NULL;
      return raise_on(comm, spawn_error(function, outcome.failure), function);
    }
    std::vector<int> children;
    for (const Bytes& address : outcome.children.addresses) children.push_back(transport().process_of(address));
    expect_failure_news();
    if (order_id != 0) watch_spawn(order_id, local.processes(), children);
    *intercomm = register_intercomm(local.processes(), local.rank(), context_id, local_context_id, std::move(children),
                                    outcome.children.context_id, errhandler);
    if (Comm* created = hybrid(*intercomm)) created->spawn_order = order_id;
  } catch (const std::exception& error) {
    if (context_id != 0) release_context_id(context_id);
    if (local_context_id != 0) release_context_id(local_context_id);
    return raise_on(comm, spawn_error(function, error.what()), function);
  }
  return MPI_SUCCESS;
}

std::vector<std::string> arguments_of(char** argv) {
  std::vector<std::string> arguments;
  for (char** argument = argv; argument != nullptr && *argument != nullptr; ++argument) arguments.emplace_back(*argument);
  return arguments;
}

}  // namespace
}  // namespace ferry::mpi

using namespace ferry::mpi;

int ferry::mpi::impl::MPI_Comm_spawn(const char* command, char* argv[], int maxprocs, MPI_Info info, int root,
                                     MPI_Comm comm, MPI_Comm* intercomm, int array_of_errcodes[]) {
  std::vector<Command> commands;
  int rank = 0;
  if (comm != MPI_COMM_NULL) (hybrid(comm) != nullptr ? impl::MPI_Comm_rank(comm, &rank) : PMPI_Comm_rank(comm, &rank));
  if (rank == root) {
    if (command == nullptr || maxprocs < 1) return raise_on(comm, MPI_ERR_ARG, "MPI_Comm_spawn", "no command, or maxprocs < 1");
    commands.push_back({command, arguments_of(argv), maxprocs, info});
  }
  return spawn(commands, root, comm, intercomm, array_of_errcodes, "MPI_Comm_spawn");
}

int ferry::mpi::impl::MPI_Comm_spawn_multiple(int count, char* array_of_commands[], char** array_of_argv[],
                                              const int array_of_maxprocs[], const MPI_Info array_of_info[], int root,
                                              MPI_Comm comm, MPI_Comm* intercomm, int array_of_errcodes[]) {
  std::vector<Command> commands;
  int rank = 0;
  if (comm != MPI_COMM_NULL) (hybrid(comm) != nullptr ? impl::MPI_Comm_rank(comm, &rank) : PMPI_Comm_rank(comm, &rank));
  if (rank == root) {
    if (count < 1) return raise_on(comm, MPI_ERR_ARG, "MPI_Comm_spawn_multiple", "count < 1");
    for (int i = 0; i < count; ++i) {
      if (array_of_commands[i] == nullptr || array_of_maxprocs[i] < 1) {
        return raise_on(comm, MPI_ERR_ARG, "MPI_Comm_spawn_multiple", "no command, or maxprocs < 1");
      }
      commands.push_back({array_of_commands[i], arguments_of(array_of_argv == MPI_ARGVS_NULL ? nullptr : array_of_argv[i]),
                          array_of_maxprocs[i], array_of_info == nullptr ? MPI_INFO_NULL : array_of_info[i]});
    }
  }
  return spawn(commands, root, comm, intercomm, array_of_errcodes, "MPI_Comm_spawn_multiple");
}

int ferry::mpi::impl::MPI_Comm_get_parent(MPI_Comm* parent) {
  if (world().role == Role::function) {
    *parent = spawned_parent();
    return MPI_SUCCESS;
  }
  return PMPI_Comm_get_parent(parent);
}
