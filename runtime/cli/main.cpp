// ferry: one executable, one subcommand per role.
#include <iostream>
#include <map>

#include "runtime/cli/command.hpp"
#include "runtime/common/error.hpp"
#include "runtime/common/log.hpp"

namespace {

struct Subcommand {
  int (*run)(const ferry::cli::Arguments&);
  const char* summary;
};

const std::map<std::string, Subcommand>& subcommands() {
  static const std::map<std::string, Subcommand> table{
      {"manager", {ferry::cli::run_manager_command, "run the resource manager (leases, spawner registry, accounting)"}},
      {"spawner", {ferry::cli::run_spawner_command, "run a node's spawner (starts executors under leases)"}},
      {"status", {ferry::cli::run_status_command, "show spawners, leases and usage as a manager sees them"}},
      {"invoke", {ferry::cli::run_invoke_command, "lease an executor, ship a library and invoke a function"}},
      {"secret", {ferry::cli::run_secret_command, "write a new cluster secret file (mode 0600)"}},
      {"doctor", {ferry::cli::run_doctor_command, "check UCX, RDMA devices, Open MPI and Ferry's own pieces"}},
      {"run", {ferry::cli::run_run_command, "run an MPI program with function ranks on leased executors"}},
      {"shim-path", {ferry::cli::run_shim_path_command, "print the path of libferry_mpi.so, the MPI shim"}},
      {"compare", {ferry::cli::run_compare_command, "time a program as plain MPI ranks and with function ranks"}},
  };
  return table;
}

void print_usage(std::ostream& out) {
  out << "usage: ferry <command> [options]   (ferry <command> --help for its options)\n\ncommands:\n";
  for (const auto& [name, command] : subcommands()) out << "  " << name << std::string(10 - name.size(), ' ') << command.summary << "\n";
  out << "\nenvironment: FERRY_LOG=trace|debug|info|warn|error sets the log level (default warn).\n";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h") {
    print_usage(std::cout);
    return argc < 2 ? 2 : 0;
  }
  const auto command = subcommands().find(argv[1]);
  if (command == subcommands().end()) {
    std::cerr << "ferry: unknown command '" << argv[1] << "'\n\n";
    print_usage(std::cerr);
    return 2;
  }
  ferry::log::init(("ferry " + command->first).c_str(), command->first == "manager" || command->first == "spawner"
                                                              ? spdlog::level::info
                                                              : spdlog::level::warn);
  try {
    return command->second.run(ferry::cli::Arguments(argv + 2, argv + argc));
  } catch (const ferry::Error& error) {
    std::cerr << "ferry " << command->first << ": " << error.what() << "\n";
    return 1;
  } catch (const std::exception& error) {
    std::cerr << "ferry " << command->first << ": " << error.what() << "\n";
    return 1;
  }
}
