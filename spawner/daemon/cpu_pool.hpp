#pragma once

#include <set>
#include <vector>

namespace ferry::spawner {

/// The CPUs a spawner leases out; each executor is pinned to CPUs of its own. A CPU that
/// appears k times in the list is leased out k times (an oversubscribed spawner).
class CpuPool {
 public:
  explicit CpuPool(const std::vector<int>& cpus) : free_(cpus.begin(), cpus.end()), total_(cpus.size()) {}
  /// Takes `count` free CPUs; empty when there are not enough.
  std::vector<int> take(size_t count) {
    if (count > free_.size()) return {};
    std::vector<int> taken(free_.begin(), std::next(free_.begin(), static_cast<long>(count)));
    for (const int cpu : taken) free_.erase(free_.find(cpu));
    return taken;
  }
  void give_back(const std::vector<int>& cpus) { free_.insert(cpus.begin(), cpus.end()); }
  size_t free_count() const noexcept { return free_.size(); }
  size_t total() const noexcept { return total_; }

 private:
  std::multiset<int> free_;
  size_t total_;
};

}  // namespace ferry::spawner
