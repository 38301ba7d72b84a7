#pragma once
// The `ferry` executable's subcommands. Each takes the arguments after its name and
// returns the process exit code.

#include <csignal>
#include <exception>
#include <string>
#include <thread>
#include <vector>

namespace ferry::cli {

using Arguments = std::vector<std::string>;

int run_manager_command(const Arguments& args);
int run_spawner_command(const Arguments& args);
int run_status_command(const Arguments& args);
int run_invoke_command(const Arguments& args);
int run_secret_command(const Arguments& args);
int run_doctor_command(const Arguments& args);
int run_run_command(const Arguments& args);
int run_shim_path_command(const Arguments& args);
int run_compare_command(const Arguments& args);

/// Blocks SIGINT and SIGTERM in this thread and every thread started after it.
void block_termination_signals();
/// Waits for SIGINT or SIGTERM (blocked beforehand); returns the signal.
int wait_for_termination_signal();

/// Runs `daemon.run()` on a thread until SIGINT or SIGTERM arrives, then stops it:
/// `daemon.stop()`, or `daemon.wind_down()` where the daemon has one (it ends its work
/// and its run() returns when that is done).
template <class Daemon>
void run_until_signalled(Daemon& daemon) {
  std::exception_ptr failure;
  std::thread runner([&] {
    try {
      daemon.run();
    } catch (...) {
      failure = std::current_exception();
    }
    ::kill(::getpid(), SIGTERM);  // wakes the wait below if run() ended by itself
  });
  wait_for_termination_signal();
  if constexpr (requires { daemon.wind_down(); }) {
    daemon.wind_down();
  } else {
    daemon.stop();
  }
  runner.join();
  if (failure) std::rethrow_exception(failure);
}

}  // namespace ferry::cli
