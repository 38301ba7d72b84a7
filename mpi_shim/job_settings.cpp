#include "mpi_shim/job_settings.hpp"

#include <cstdlib>
#include <sstream>

#include "runtime/common/environment.hpp"
#include "runtime/common/error.hpp"
#include "runtime/common/hex.hpp"

namespace ferry::mpi {

namespace {

long number(const char* name, long fallback, long minimum, long maximum) {
  const auto text = environment_variable(name);
  if (!text) return fallback;
  char* end = nullptr;
  const long value = std::strtol(text->c_str(), &end, 10);
  if (end == text->c_str() || *end != '\0' || value < minimum || value > maximum) {
    throw Error(Errc::invalid_argument, std::string(name) + "='" + *text + "' is not a number from " +
                                            std::to_string(minimum) + " to " + std::to_string(maximum));
  }
  return value;
}

std::vector<std::byte> bytes(const char* name) {
  const auto text = environment_variable(name);
  if (!text) throw Error(Errc::invalid_argument, std::string(name) + " is not set");
  auto decoded = from_hex(*text);
  if (!decoded) throw Error(Errc::invalid_argument, std::string(name) + " is not hexadecimal");
  return *decoded;
}

}  // namespace

ClientOptions lease_client_options(const JobSettings& settings, const std::string& who, uint32_t embedded_cores) {
  ClientOptions options;
  options.manager = settings.manager;
  options.spawners = settings.spawners;
  options.owner = (settings.job.empty() ? std::string("mpi") : settings.job) + "/" + who;
  options.mode = WaitMode::warm;
  options.embedded_cores = embedded_cores;
  return options;
}

bool is_function_rank_environment() { return environment_variable("FERRY_ROLE") == "function"; }

JobSettings read_job_settings() {
  JobSettings settings;
  settings.functions = int(number("FERRY_FUNCTIONS", 0, 0, 1 << 19));
  settings.manager = environment_variable("FERRY_MANAGER");
  if (const auto list = environment_variable("FERRY_SPAWNERS")) {
    std::stringstream stream(*list);
    std::string item;
    while (std::getline(stream, item, ',')) {
      if (!item.empty()) settings.spawners.push_back(item);
    }
  }
  if (const auto mode = environment_variable("FERRY_MODE")) settings.mode = ucx::parse_wait_mode(*mode);
  settings.job = environment_variable("FERRY_JOB").value_or("");
  settings.report_directory = environment_variable("FERRY_REPORT").value_or("");
  settings.memory_mib = uint32_t(number("FERRY_MEMORY_MIB", 0, 16, 1 << 24));
  settings.lease_duration = std::chrono::seconds(number("FERRY_LEASE_SECONDS", 600, 2, 1L << 30));
  settings.ship = number("FERRY_SHIP", 0, 0, 1) != 0;
  return settings;
}

FunctionRankSettings read_function_rank_settings() {
  FunctionRankSettings settings;
  settings.spawn_id = uint32_t(number("FERRY_SPAWN_ID", 0, 1, (1 << 23) - 1));
  settings.rank = int(number("FERRY_RANK", -1, 0, 1 << 20));
  settings.batch_ranks = int(number("FERRY_BATCH_RANKS", 0, settings.spawn_id != 0 ? 0 : 1, 1 << 20));
  settings.functions = int(number("FERRY_FUNCTIONS", 0, 1, 1 << 19));
  settings.owner = int(number("FERRY_OWNER_RANK", settings.spawn_id != 0 ? 0 : -1, 0, 1 << 20));
  if (settings.rank < settings.batch_ranks || settings.rank >= settings.batch_ranks + settings.functions) {
    throw Error(Errc::invalid_argument, "FERRY_RANK is not a function rank of this job");
  }
  settings.owner_address = bytes("FERRY_OWNER_ADDRESS");
  settings.secret = bytes("FERRY_JOB_SECRET");
  if (const auto mode = environment_variable("FERRY_MODE")) settings.mode = ucx::parse_wait_mode(*mode);
  return settings;
}

}  // namespace ferry::mpi
