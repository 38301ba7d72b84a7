#include "bench/soak/process_resources.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace ferry::soak {

namespace fs = std::filesystem;

namespace {
/// The number after `key` in /proc/PID/status ("Threads:", "VmRSS:").
uint64_t status_field(const std::string& status, const std::string& key) {
  const auto at = status.find("\n" + key);
  if (at == std::string::npos) return 0;
  return std::stoull(status.substr(at + key.size() + 1));
}

/// The parent pid in /proc/PID/stat, whose second field (the command) may hold blanks.
pid_t parent_of(const fs::path& stat) {
  std::ifstream in(stat);
  std::string line;
  if (!std::getline(in, line)) return -1;
  const auto close = line.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream fields(line.substr(close + 1));
  char state = 0;
  pid_t parent = -1;
  fields >> state >> parent;
  return parent;
}
}  // namespace

ProcessResources& ProcessResources::operator+=(const ProcessResources& other) {
  descriptors += other.descriptors;
  memfds += other.memfds;
  threads += other.threads;
  rss_kib += other.rss_kib;
  children += other.children;
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
    if (parent_of(entry.path() / "stat") == pid) ++resources.children;
  }
  return resources;
}

uint64_t entries_in(const std::string& directory) {
  std::error_code error;
  uint64_t count = 0;
  for (fs::directory_iterator it(directory, error), end; !error && it != end; it.increment(error)) ++count;
  return count;
}

}  // namespace ferry::soak
