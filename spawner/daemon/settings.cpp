#include "spawner/daemon/settings.hpp"

#include <unistd.h>

#include <filesystem>

#include "runtime/common/cpus.hpp"
#include "runtime/common/host_name.hpp"

namespace ferry::spawner {

namespace {

uint32_t physical_memory_mib() {
  const long pages = ::sysconf(_SC_PHYS_PAGES);
  const long page_size = ::sysconf(_SC_PAGESIZE);
  return static_cast<uint32_t>(static_cast<uint64_t>(pages) * static_cast<uint64_t>(page_size) >> 20);
}
}  // namespace

void apply_machine_defaults(Settings& settings) {
  if (settings.node.empty()) settings.node = host_name();
  if (settings.id.empty()) settings.id = settings.node + ":" + std::to_string(::getpid());
  if (settings.reclaim_reason.empty()) {
    settings.reclaim_reason = "node " + settings.node + " reclaimed: spawner " + settings.id + " is stopping";
  }
  if (settings.cpus.empty()) settings.cpus = allowed_cpus();
  if (settings.cpus.empty()) settings.cpus = {0};
  if (settings.memory_mib == 0) settings.memory_mib = physical_memory_mib();
  if (settings.work_root.empty()) {
    settings.work_root = (std::filesystem::temp_directory_path() /
                          ("ferry-spawner-" + std::to_string(::getpid()))).string();
  }
}

void fit_cpus_to_cores(std::vector<int>& cpus, uint32_t cores) {
  if (cores == 0) return;
  if (cpus.empty()) cpus = allowed_cpus();
  if (cpus.empty()) cpus = {0};
  const size_t distinct = cpus.size();
  cpus.resize(cores);
  for (size_t i = distinct; i < cores; ++i) cpus[i] = cpus[i % distinct];
}

}  // namespace ferry::spawner
