#include "mpi_shim/rank_placement.hpp"

#include <bit>

#include "runtime/common/cpus.hpp"
#include "runtime/common/host_name.hpp"

namespace ferry::mpi {

namespace {

uint64_t hash_of(const std::string& text) {
  uint64_t hash = 1469598103934665603ULL;  // FNV-1a
  for (const char c : text) {
    hash ^= uint8_t(c);
    hash *= 1099511628211ULL;
  }
  return hash;
}

}  // namespace

RankPlacement placement_of(const std::string& host, const std::vector<int>& cpus) {
  RankPlacement placement;
  placement.node = hash_of(host);
  for (const int cpu : cpus) {
    if (cpu >= 0 && size_t(cpu) < placement.cpus.size() * 64) {
      placement.cpus[size_t(cpu) / 64] |= uint64_t(1) << (size_t(cpu) % 64);
    }
  }
  return placement;
}

RankPlacement own_placement() { return placement_of(host_name(), allowed_cpus()); }

std::vector<int> cpus_of(const RankPlacement& placement) {
  std::vector<int> cpus;
  for (size_t word = 0; word < placement.cpus.size(); ++word) {
    for (uint64_t bits = placement.cpus[word]; bits != 0; bits &= bits - 1) {
      cpus.push_back(int(word * 64 + size_t(std::countr_zero(bits))));
    }
  }
  return cpus;
}

unsigned cpu_count(const RankPlacement& placement) {
  unsigned count = 0;
  for (const uint64_t word : placement.cpus) count += unsigned(std::popcount(word));
  return count;
}

double ranks_on_my_cores(const RankPlacement& me, const std::vector<RankPlacement>& all) {
  double busy = 0;
  for (const RankPlacement& other : all) {
    const unsigned allowed = cpu_count(other);
    if (other.node != me.node || allowed == 0) continue;
    unsigned shared = 0;
    for (size_t word = 0; word < me.cpus.size(); ++word) {
      shared += unsigned(std::popcount(me.cpus[word] & other.cpus[word]));
    }
    busy += double(shared) / double(allowed);
  }
  return busy;
}

}  // namespace ferry::mpi
