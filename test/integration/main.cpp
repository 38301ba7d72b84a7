// The integration test binary. Run as `--lease-and-spawn spawner|manager ADDRESS [OWNER]`
// it plays a client process instead: leases (as OWNER) from that stand-alone spawner or manager,
// spawns `sleep 1000`, prints "sleep pid PID" and waits, so that the owner-crash tests
// have a lease owner they can kill.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <iostream>
#include <string>

#include "runtime/client/client.hpp"

namespace {
int lease_and_spawn(const std::string& kind, const std::string& address, const std::string& owner) {
  using namespace std::chrono_literals;
  ferry::ClientOptions options;
  if (kind == "manager") {
    options.manager = address;
  } else {
    options.spawners = {address};
  }
  options.mode = ferry::WaitMode::warm;
  options.owner = owner;
  auto client = ferry::Client::create(options);
  ferry::Lease lease = client->lease({.cores = 1, .memory_mib = 64, .duration = 60s});
  ferry::Program program = client->spawn(lease, {"sleep", "1000"});
  std::cout << "sleep pid " << program.pid() << std::endl;
  program.wait(60s);  // keeps the connection alive until the test kills this process
  return 0;
}
}  // namespace

int main(int argc, char** argv) {
  if ((argc == 4 || argc == 5) && std::string(argv[1]) == "--lease-and-spawn") {
    try {
      return lease_and_spawn(argv[2], argv[3], argc == 5 ? argv[4] : "");
    } catch (const std::exception& error) {
      std::cerr << "lease-and-spawn: " << error.what() << "\n";
      return 1;
    }
  }
  Catch::Session session;
  if (const int status = session.applyCommandLine(argc, argv); status != 0) return status;
  // A test name that matches nothing (a mangled ctest filter) must fail, not pass.
  session.configData().warnings =
      static_cast<Catch::WarnAbout::What>(session.configData().warnings | Catch::WarnAbout::NoTests);
  return session.run();
}
