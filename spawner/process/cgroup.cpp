#include "spawner/process/cgroup.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <sys/stat.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include "runtime/common/error.hpp"
#include "runtime/common/log.hpp"

namespace ferry::spawner {
namespace {

struct Cgroup2Mount {
  std::string root;   ///< the part of the hierarchy mounted there
  std::string point;  ///< where it is mounted
};

// mountinfo: "id parent major:minor root mount-point options [optional...] - fstype source super-options"
std::optional<Cgroup2Mount> find_cgroup2_mount(const std::string& mountinfo) {
  std::ifstream file(mountinfo);
  for (std::string line; std::getline(file, line);) {
    const auto separator = line.find(" - ");
    if (separator == std::string::npos) continue;
    std::istringstream after(line.substr(separator + 3));
    std::string fstype;
    after >> fstype;
    if (fstype != "cgroup2") continue;
    std::istringstream before(line.substr(0, separator));
    std::string id, parent, device;
    Cgroup2Mount mount;
    if (before >> id >> parent >> device >> mount.root >> mount.point) return mount;
  }
  return std::nullopt;
}

// /proc/self/cgroup: "0::/path" is the unified hierarchy's line.
std::optional<std::string> unified_cgroup_path(const std::string& cgroup_file) {
  std::ifstream file(cgroup_file);
  for (std::string line; std::getline(file, line);) {
    if (line.starts_with("0::")) return line.substr(3);
  }
  return std::nullopt;
}

std::vector<std::string> words_of(const std::string& path) {
  std::ifstream file(path);
  std::vector<std::string> words;
  for (std::string word; file >> word;) words.push_back(word);
  return words;
}

bool has(const std::vector<std::string>& words, const std::string& word) {
  return std::find(words.begin(), words.end(), word) != words.end();
}

std::optional<std::string> own_cgroup_directory(const std::string& proc, std::string& reason) {
  const auto mount = find_cgroup2_mount(proc + "/self/mountinfo");
  if (!mount) {
    reason = "no cgroup2 file system is mounted";
    return std::nullopt;
  }
  const auto path = unified_cgroup_path(proc + "/self/cgroup");
  if (!path) {
    reason = "this process is in no cgroup v2 (" + proc + "/self/cgroup has no 0:: line)";
    return std::nullopt;
  }
  std::string relative = *path;
  if (mount->root != "/" && relative.starts_with(mount->root)) relative = relative.substr(mount->root.size());
  if (relative == "/") relative.clear();
  return mount->point + relative;
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream file(path);
  file << text;
  file.flush();
  if (!file) throw Error(Errc::system, "cannot write '" + text + "' to " + path);
}

}  // namespace

CgroupSupport find_lease_cgroup_parent(const std::string& proc, const std::string& configured) {
  CgroupSupport support;
  std::string directory = configured;
  if (directory.empty()) {
    const auto own = own_cgroup_directory(proc, support.reason);
    if (!own) return support;
    directory = *own;
  }
  const std::vector<std::string> available = words_of(directory + "/cgroup.controllers");
  const std::vector<std::string> enabled = words_of(directory + "/cgroup.subtree_control");
  if (!has(available, "memory")) {
    support.reason = "the memory controller is not available in " + directory +
                     " (cgroup.controllers: " + (available.empty() ? "none" : "without memory") +
                     "; on a hybrid cgroup v1 layout memory belongs to v1)";
    return support;
  }
  if (!has(enabled, "memory")) {
    support.reason = "the memory controller is not enabled for children of " + directory +
                     " (write +memory to its cgroup.subtree_control, with no process left in it)";
    return support;
  }
  if (::access(directory.c_str(), W_OK) != 0) {
    support.reason = "this process may not create cgroups in " + directory + " (not delegated to it)";
    return support;
  }
  support.parent = directory;
  support.cpu = has(enabled, "cpu");
  support.reason = "cgroup v2 under " + directory + (support.cpu ? " (memory and cpu)" : " (memory)");
  return support;
}

LeaseCgroup::LeaseCgroup(const CgroupSupport& support, uint64_t lease_id, uint32_t memory_mib, uint32_t cores,
                         uint32_t cpu_quota_percent)
    : path_(support.parent + "/ferry-lease-" + std::to_string(lease_id)) {
  if (::mkdir(path_.c_str(), 0755) != 0 && errno != EEXIST) throw_system_error("mkdir " + path_);
  try {
    if (memory_mib != 0) write_file(path_ + "/memory.max", std::to_string(static_cast<uint64_t>(memory_mib) << 20));
    if (cpu_quota_percent != 0 && support.cpu) {
      constexpr uint64_t period_us = 100'000;
      const uint64_t quota_us = period_us * cores * cpu_quota_percent / 100;
      write_file(path_ + "/cpu.max", std::to_string(quota_us) + " " + std::to_string(period_us));
    }
    procs_.reset(::open((path_ + "/cgroup.procs").c_str(), O_WRONLY | O_CLOEXEC));
    if (!procs_) throw_system_error("open " + path_ + "/cgroup.procs");
  } catch (...) {
    ::rmdir(path_.c_str());
    throw;
  }
}

LeaseCgroup::~LeaseCgroup() {
  procs_.reset();
  if (::rmdir(path_.c_str()) != 0 && errno != ENOENT) {
    spdlog::warn("cannot remove the lease cgroup {}: {}", path_, std::strerror(errno));
  }
}

}  // namespace ferry::spawner
