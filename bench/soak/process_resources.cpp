#include "bench/soak/process_resources.hpp"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "test/support/daemons.hpp"

namespace ferry::soak {

namespace fs = std::filesystem;

namespace {
/// The number after `key` in /proc/PID/status ("Threads:", "VmRSS:").
uint64_t status_field(const std::string& status, const std::string& key) {
  const auto at = status.find("\n" + key);
  if (at == std::string::npos) return 0;
  return std::stoull(status.substr(at + key.size() + 1));
}

struct StatFields {
  char state = 0;
  pid_t parent = -1;
};

/// The state and parent pid in /proc/PID/stat, whose second field (the command) may hold blanks.
StatFields stat_of(const fs::path& stat) {
  std::ifstream in(stat);
  std::string line;
  StatFields fields;
  if (!std::getline(in, line)) return fields;
  const auto close = line.rfind(')');
  if (close == std::string::npos) return fields;
  std::istringstream after(line.substr(close + 1));
  after >> fields.state >> fields.parent;
  return fields;
}

pid_t parent_of(const fs::path& stat) { return stat_of(stat).parent; }

/// The NUL-separated strings of /proc/PID/cmdline or environ.
std::vector<std::string> null_separated(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::vector<std::string> items;
  for (std::string item; std::getline(in, item, '\0');) items.push_back(item);
  return items;
}
}  // namespace

ProcessResources& ProcessResources::operator+=(const ProcessResources& other) {
  descriptors += other.descriptors;
  memfds += other.memfds;
  threads += other.threads;
  rss_kib += other.rss_kib;
  children += other.children;
  waiting_workers += other.waiting_workers;
  return *this;
}

ProcessResources sample_process(pid_t pid) {
  const fs::path proc = "/proc/" + std::to_string(pid);
  std::ifstream status_file(proc / "status");
  if (!status_file) throw std::runtime_error("process " + std::to_string(pid) + " is gone");
  std::stringstream status;
  status << "\n" << status_file.rdbuf();

  ProcessResources resources;
  resources.threads = status_field(status.str(), "Threads:");
  resources.rss_kib = status_field(status.str(), "VmRSS:");
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(proc / "fd", error)) {
    ++resources.descriptors;
    const std::string target = fs::read_symlink(entry.path(), error).string();
    if (target.rfind("/memfd:", 0) == 0) ++resources.memfds;
  }
  for (const auto& entry : fs::directory_iterator("/proc", error)) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    if (parent_of(entry.path() / "stat") != pid) continue;
    if (test::is_waiting_worker(std::stoi(name))) {
      ++resources.waiting_workers;
    } else {
      ++resources.children;
    }
  }
  return resources;
}

std::vector<TaggedProcess> processes_tagged(const std::string& tag) {
  std::vector<TaggedProcess> found;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator("/proc", error)) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    const auto arguments = null_separated(entry.path() / "cmdline");
    if (std::find(arguments.begin(), arguments.end(), tag) == arguments.end()) continue;
    const StatFields stat = stat_of(entry.path() / "stat");
    if (stat.state == 0 || stat.state == 'Z') continue;
    TaggedProcess process;
    process.pid = std::stoi(name);
    process.parent = stat.parent;
    std::ifstream comm(entry.path() / "comm");
    std::getline(comm, process.command);
    const auto environment = null_separated(entry.path() / "environ");
    process.function_rank =
        std::find(environment.begin(), environment.end(), "FERRY_ROLE=function") != environment.end();
    const std::string rank_variable = process.function_rank ? "FERRY_RANK=" : "OMPI_COMM_WORLD_RANK=";
    for (const auto& variable : environment) {
      if (variable.rfind(rank_variable, 0) == 0) process.world_rank = std::stoi(variable.substr(rank_variable.size()));
    }
    found.push_back(process);
  }
  return found;
}

uint64_t entries_in(const std::string& directory) {
  std::error_code error;
  uint64_t count = 0;
  for (fs::directory_iterator it(directory, error), end; !error && it != end; it.increment(error)) ++count;
  return count;
}

}  // namespace ferry::soak
