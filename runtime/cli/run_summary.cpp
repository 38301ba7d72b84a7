#include "runtime/cli/run_summary.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "runtime/common/error.hpp"

namespace ferry::cli {

namespace {
void add_lease(std::vector<uint64_t>& leases, uint64_t id) {
  if (std::find(leases.begin(), leases.end(), id) == leases.end()) leases.push_back(id);
}

nlohmann::json read_report(const std::filesystem::path& path) {
  std::ifstream file(path);
  try {
    return nlohmann::json::parse(file);
  } catch (const nlohmann::json::exception& error) {
    throw Error(Errc::protocol, "the rank report " + path.string() + " is not valid JSON: " + error.what());
  }
}
}  // namespace

BilledLeases billed_leases(const std::string& status_json, const std::string& job) {
  BilledLeases billed;
  const std::string prefix = job + "/";
  const auto status = nlohmann::json::parse(status_json);
  for (const auto& lease : status.value("leases", nlohmann::json::array())) {
    if (!lease.value("owner", std::string()).starts_with(prefix)) continue;
    add_lease(billed.leases, lease.at("id").get<uint64_t>());
    billed.billed_core_seconds += lease.value("billed_core_seconds", 0.0);
    if (lease.value("state", std::string()) == "active") billed.all_ended = false;
  }
  std::sort(billed.leases.begin(), billed.leases.end());
  return billed;
}

unsigned merge_rank_reports(const std::string& directory, JobSummary& summary) {
  unsigned files = 0;
  double core_seconds = 0;
  std::error_code ignored;
  for (const auto& entry : std::filesystem::directory_iterator(directory, ignored)) {
    const std::string name = entry.path().filename().string();
    if (!name.starts_with("rank") || !name.ends_with(".json")) continue;
    const nlohmann::json report = read_report(entry.path());
    try {
      for (const auto& id : report.value("leases", nlohmann::json::array())) add_lease(summary.leases, id.get<uint64_t>());
      core_seconds += report.value("core_seconds", 0.0);
      summary.spawned_ranks += report.value("spawned_ranks", 0U);
    } catch (const nlohmann::json::exception& error) {
      throw Error(Errc::protocol, "the rank report " + entry.path().string() + " is malformed: " + error.what());
    }
    ++files;
  }
  std::sort(summary.leases.begin(), summary.leases.end());
  if (files != 0 && !summary.billed_core_seconds) summary.billed_core_seconds = core_seconds;
  return files;
}

std::string format_summary(const JobSummary& summary) {
  // Runs of consecutive ids as ranges: a job that spawns holds hundreds of leases.
  std::string leases;
  for (size_t i = 0; i < summary.leases.size();) {
    size_t last = i;
    while (last + 1 < summary.leases.size() && summary.leases[last + 1] == summary.leases[last] + 1) ++last;
    leases += (leases.empty() ? "" : ",") + std::to_string(summary.leases[i]);
    if (last >= i + 2) {
      leases += "-" + std::to_string(summary.leases[last]);
    } else if (last == i + 1) {
      leases += "," + std::to_string(summary.leases[last]);
    }
    i = last + 1;
  }
  char wall[64];
  std::snprintf(wall, sizeof wall, "%.2f s", summary.wall_seconds);
  std::string billed = "unknown";
  if (summary.billed_core_seconds) {
    char text[64];
    std::snprintf(text, sizeof text, "%.2f core-s", *summary.billed_core_seconds);
    billed = text;
  }
  return "ferry run: " + std::to_string(summary.batch_ranks + summary.function_ranks) + " ranks (" +
         std::to_string(summary.batch_ranks) + " batch + " + std::to_string(summary.function_ranks) +
         " function)" + (summary.spawned_ranks != 0 ? ", " + std::to_string(summary.spawned_ranks) + " spawned" : "") +
         ", leases " + (leases.empty() ? "none" : leases) + ", wall " + wall + ", billed " + billed;
}

}  // namespace ferry::cli
