#pragma once

#include <algorithm>
#include <vector>

namespace ferry::spawner {

/// The CPUs a spawner leases out, in order of preference; each executor is pinned to CPUs
/// of its own. A CPU that appears k times in the list is leased out k times (an
/// oversubscribed spawner).
class CpuPool {
 public:
  explicit CpuPool(const std::vector<int>& cpus) : preference_(cpus), free_(cpus) {}

  /// Takes `count` free CPUs, most preferred first; empty when there are not enough.
  std::vector<int> take(size_t count) {
    if (count > free_.size()) return {};
    std::vector<int> taken(free_.begin(), std::next(free_.begin(), static_cast<long>(count)));
    free_.erase(free_.begin(), std::next(free_.begin(), static_cast<long>(count)));
    return taken;
  }
  void give_back(const std::vector<int>& cpus) {
    free_.insert(free_.end(), cpus.begin(), cpus.end());
    std::stable_sort(free_.begin(), free_.end(), [this](int a, int b) { return rank(a) < rank(b); });
  }
  size_t free_count() const noexcept { return free_.size(); }
  size_t total() const noexcept { return preference_.size(); }

 private:
  size_t rank(int cpu) const {
    return size_t(std::find(preference_.begin(), preference_.end(), cpu) - preference_.begin());
  }
  std::vector<int> preference_;
  std::vector<int> free_;
};

}  // namespace ferry::spawner
