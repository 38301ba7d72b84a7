// ferry-worker: the function host a spawner starts for an executor.
#include <unistd.h>

#include <iostream>

#include "runtime/common/error.hpp"
#include "runtime/common/log.hpp"
#include "spawner/worker/function_host.hpp"

int main(int argc, char** argv) {
  ferry::log::init("ferry-worker");
  ferry::worker::Settings settings;
  try {
    settings = ferry::worker::parse_command_line(argc, argv);
  } catch (const ferry::Error& error) {
    std::cerr << "ferry-worker: " << error.what() << "\n";
    return 2;
  }
  try {
    ferry::worker::FunctionHost host(settings);
    host.run();
    return 0;
  } catch (const ferry::Error& error) {
    const std::string line = std::string("error ") + error.what() + "\n";
    [[maybe_unused]] const auto written = ::write(settings.status_fd, line.data(), line.size());
    std::cerr << "ferry-worker: " << error.what() << "\n";
    return 1;
  }
}
