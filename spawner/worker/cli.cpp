#include <boost/program_options.hpp>

#include <cstdlib>

#include "runtime/common/error.hpp"
#include "runtime/common/hex.hpp"
#include "spawner/worker/settings.hpp"

namespace ferry::worker {

namespace po = boost::program_options;

Settings parse_command_line(int argc, char** argv) {
  Settings settings;
  std::string mode = "hot";
  po::options_description options(
      "ferry-worker: serves function invocations for one executor (started by a spawner)");
  options.add_options()
      ("library-fd", po::value(&settings.library_fd), "file descriptor of the shipped library")
      ("warm-fd", po::value(&settings.warm_fd), "start warm: set up, then wait on this socket for the executor's library, key and cores")
      ("status-fd", po::value(&settings.status_fd)->required(), "pipe to report readiness and usage on")
      ("threads", po::value(&settings.threads)->default_value(1), "invocation threads (one per leased core)")
      ("mode", po::value(&mode)->default_value("hot"), "waiting mode: hot, warm, adaptive or auto (chosen per thread from who shares its core)");
  try {
    po::variables_map values;
    po::store(po::parse_command_line(argc, argv, options), values);
    po::notify(values);
  } catch (const po::error& error) {
    throw Error(Errc::invalid_argument, std::string(error.what()));
  }
  settings.mode = ucx::parse_wait_mode(mode);
  if (settings.threads == 0) throw Error(Errc::invalid_argument, "--threads must be at least 1");
  if ((settings.library_fd < 0) == (settings.warm_fd < 0)) {
    throw Error(Errc::invalid_argument, "give one of --library-fd and --warm-fd");
  }
  if (settings.warm_fd >= 0) return settings;
  const char* key = std::getenv("FERRY_EXECUTOR_KEY");
  if (key == nullptr || *key == '\0') throw Error(Errc::unauthorized, "FERRY_EXECUTOR_KEY is not set");
  auto parsed = from_hex(key);
  if (!parsed) throw Error(Errc::invalid_argument, "FERRY_EXECUTOR_KEY is not hex");
  settings.key = std::move(*parsed);
  ::unsetenv("FERRY_EXECUTOR_KEY");
  return settings;
}

}  // namespace ferry::worker
