#include "runtime/ucx/spin_budget.hpp"

#include <algorithm>

namespace ferry::ucx {

namespace {

constexpr double dedicated_spin_weight = 0.1;
constexpr double shared_spin_weight = 1.0;
constexpr int64_t minimum_wake_cost = 5'000;
constexpr int64_t maximum_wake_cost = 100'000;

}  // namespace

SpinBudget::nanoseconds SpinBudget::wake_cost() const noexcept {
  const size_t count = std::min(sleeps_seen_, history);
  if (count == 0) return default_wake_cost;
  std::array<int64_t, history> sorted{};
  std::copy_n(sleeps_.begin(), count, sorted.begin());
  std::nth_element(sorted.begin(), sorted.begin() + long(count / 4), sorted.begin() + long(count));
  return nanoseconds(std::clamp(sorted[count / 4], minimum_wake_cost, maximum_wake_cost));
}

void SpinBudget::record(nanoseconds waited, nanoseconds slept) noexcept {
  waits_[waits_seen_ % history] = waited.count();
  ++waits_seen_;
  if (slept.count() > 0) {
    sleeps_[sleeps_seen_ % history] = slept.count();
    ++sleeps_seen_;
  }
  if (waits_seen_ % choose_every == 0) choose();
}

void SpinBudget::choose() noexcept {
  budget_ = best_budget(waits_.data(), std::min(waits_seen_, history), wake_cost(),
                        shared_cores_ ? shared_spin_weight : dedicated_spin_weight);
}

SpinBudget::nanoseconds SpinBudget::best_budget(const int64_t* waits, size_t count, nanoseconds wake,
                                                double spin_weight) noexcept {
  nanoseconds best = nanoseconds::zero();
  double best_cost = -1;
  for (nanoseconds candidate = nanoseconds::zero(); candidate <= ceiling;
       candidate = candidate.count() == 0 ? nanoseconds(1'000) : candidate * 2) {
    const auto b = double(candidate.count());
    double cost = 0;
    for (size_t i = 0; i < count; ++i) {
      const auto w = double(waits[i]);
      cost += w <= b ? spin_weight * w : spin_weight * b + double(wake.count());
    }
    // Ties go to the shorter budget: the same cost for less time holding the core.
    if (best_cost < 0 || cost < best_cost) {
      best_cost = cost;
      best = candidate;
    }
  }
  return best;
}

}  // namespace ferry::ucx
