#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>

#include "runtime/cli/options.hpp"
#include "runtime/client/client.hpp"

namespace ferry::cli {

namespace {
std::string seconds_between(uint64_t from_ms, uint64_t to_ms) {
  return std::to_string(to_ms > from_ms ? (to_ms - from_ms) / 1000 : 0) + "s";
}

// One spawner's row: who and where it is, what it has leased out, and its state.
void print_spawner_row(const nlohmann::json& s, const std::string& cores, const std::string& memory,
                       const std::string& state) {
  std::printf("%-28s %-16s %-22s %12s %18s  %s\n", s["id"].get<std::string>().c_str(),
              s["node"].get<std::string>().c_str(), s["address"].get<std::string>().c_str(), cores.c_str(),
              memory.c_str(), state.c_str());
}

// Live spawners say how long they have been up; departed ones when and why they left.
void print_spawners(const nlohmann::json& spawners, const nlohmann::json& departed, uint64_t now_ms) {
  std::printf("%-28s %-16s %-22s %12s %18s  %s\n", "SPAWNER", "NODE", "ADDRESS", "CORES USED", "MEMORY USED (MiB)",
              "STATE");
  for (const auto& s : spawners) {
    const std::string cores = std::to_string(s["cores_leased"].get<unsigned>()) + "/" + std::to_string(s["cores"].get<unsigned>());
    const std::string memory = std::to_string(s["memory_leased_mib"].get<unsigned>()) + "/" +
                               std::to_string(s["memory_mib"].get<unsigned>());
    std::string state = s.value("state", "up");
    const uint64_t joined = s.value("joined_unix_ms", uint64_t{0});
    if (joined != 0 && now_ms != 0) state += ", joined " + seconds_between(joined, now_ms) + " ago";
    print_spawner_row(s, cores, memory, state);
  }
  for (const auto& s : departed) {
    print_spawner_row(s, "-", "-",
                      "left " + seconds_between(s.value("left_unix_ms", uint64_t{0}), now_ms) +
                          " ago: " + s.value("reason", std::string()));
  }
}

void print_leases(const nlohmann::json& leases) {
  std::printf("\n%-6s %-22s %-16s %-9s %5s %8s %10s %9s %9s %11s  %s\n", "LEASE", "OWNER", "NODE", "STATE", "CORES", "MiB",
              "EXPIRES", "CPU s", "HOT s", "BILLED c*s", "REASON");
  for (const auto& l : leases) {
    const double expires_s = static_cast<double>(l["expires_in_ms"].get<int64_t>()) / 1000.0;
    std::printf("%-6llu %-22s %-16s %-9s %5u %8u %9.1fs %9.3f %9.3f %11.2f  %s\n",
                static_cast<unsigned long long>(l["id"].get<uint64_t>()), l["owner"].get<std::string>().c_str(),
                l["node"].get<std::string>().c_str(),
                l["state"].get<std::string>().c_str(), l["cores"].get<unsigned>(), l["memory_mib"].get<unsigned>(),
                expires_s, l["cpu_s"].get<double>(), l["hot_poll_s"].get<double>(),
                l["billed_core_seconds"].get<double>(), l["reason"].get<std::string>().c_str());
  }
}
}  // namespace

int run_status_command(const Arguments& args) {
  std::string manager;
  unsigned timeout_ms = 5000;
  po::options_description options(
      "ferry status: spawners (cores and memory leased/total, and those that left and why), leases and their usage");
  options.add_options()
      ("manager", po::value(&manager)->required(), "manager (or stand-alone spawner) to ask, host:port")
      ("json", "print the raw JSON instead of tables")
      ("timeout-ms", po::value(&timeout_ms)->default_value(timeout_ms), "give up after this long");
  po::variables_map values;
  if (!parse_options(args, "ferry status --manager HOST:PORT [--json]", options, values)) return 0;

  ClientOptions client_options;
  client_options.spawners = {manager};
  client_options.mode = WaitMode::warm;
  client_options.timeout = std::chrono::milliseconds(timeout_ms);
  const std::string text = Client::create(client_options)->status();
  if (values.count("json") != 0) {
    std::cout << nlohmann::json::parse(text).dump(2) << "\n";
    return 0;
  }
  const auto status = nlohmann::json::parse(text);
  print_spawners(status.value("spawners", nlohmann::json::array()),
                 status.value("departed_spawners", nlohmann::json::array()), status.value("now_unix_ms", uint64_t{0}));
  print_leases(status.value("leases", nlohmann::json::array()));
  return 0;
}

}  // namespace ferry::cli
