// ferry-worker: the function host a spawner starts for an executor.
#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "runtime/common/error.hpp"
#include "runtime/common/log.hpp"
#include "runtime/common/trace.hpp"
#include "spawner/worker/function_host.hpp"

int main(int argc, char** argv) {
  ferry::log::init("ferry-worker");
  ferry::trace::phase("ferry-worker: started");
  ferry::worker::Settings settings;
  try {
    settings = ferry::worker::parse_command_line(argc, argv);
  } catch (const ferry::Error& error) {
    std::cerr << "ferry-worker: " << error.what() << "\n";
    return 2;
  }
  try {
    ferry::worker::FunctionHost host(settings);
    if (settings.warm_fd >= 0 && !host.await_warm_start()) return 0;
    host.run();
    // The executor ends with its process. Its client is gone by now, and tearing UCX down
    // against it only has UCX warn, now and then, of a reply it could not finish.
    spdlog::default_logger()->flush();
    std::cout.flush();
    std::cerr.flush();
    std::_Exit(0);
  } catch (const ferry::Error& error) {
    const std::string line = std::string("error ") + error.what() + "\n";
    [[maybe_unused]] const auto written = ::write(settings.status_fd, line.data(), line.size());
    std::cerr << "ferry-worker: " << error.what() << "\n";
    return 1;
  }
}
