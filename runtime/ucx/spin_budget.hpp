#pragma once
// How long adaptive waiting spins before it sleeps, learned from the waits it served.
//
// A wait whose event comes after w spent spinning costs the CPU for w; one that sleeps
// after spinning for b costs the CPU for b plus a wake-up. On a core of its own spinning
// costs little (a tenth, for the power and the hot-polling bill); on a core that busy
// peers share, every spun microsecond is one the peer that must answer does not get.
// Every 16 waits the budget becomes the candidate (0, 1, 2, 4 .. 256 µs) with the lowest
// cost over the last 32 waits: ski rental with the distribution of recent waits. The
// wake-up's own cost is learned too: the lower quartile of recent times asleep (an upper
// bound on the wake-up latency), 20 µs until the first sleep.

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>

namespace ferry::ucx {

class SpinBudget {
 public:
  using nanoseconds = std::chrono::nanoseconds;
  static constexpr nanoseconds ceiling{256'000};
  static constexpr nanoseconds initial{64'000};
  static constexpr nanoseconds default_wake_cost{20'000};
  static constexpr size_t history = 32;
  static constexpr size_t choose_every = 16;

  explicit SpinBudget(bool shared_cores = false) : shared_cores_(shared_cores) {}

  /// How long the next wait spins (since its last event) before it sleeps.
  nanoseconds budget() const noexcept { return budget_; }
  /// Whether the cores are shared with other busy processes: spinning then gives the CPU
  /// up at every idle turn and is costed in full.
  bool shared_cores() const noexcept { return shared_cores_; }
  void set_shared_cores(bool shared) noexcept { shared_cores_ = shared; }
  /// What sleeping is currently believed to cost over spinning until the event.
  nanoseconds wake_cost() const noexcept;

  /// A finished wait: `waited` from its start to its event, `slept` of that asleep
  /// (zero for a wait that ended while spinning).
  void record(nanoseconds waited, nanoseconds slept) noexcept;

  /// The budget that minimises the cost of `waits` (ns) when sleeping costs `wake` and
  /// spinning `spin_weight` per nanosecond. Exposed for tests.
  static nanoseconds best_budget(const int64_t* waits, size_t count, nanoseconds wake, double spin_weight) noexcept;

 private:
  void choose() noexcept;

  bool shared_cores_;
  nanoseconds budget_ = initial;
  std::array<int64_t, history> waits_{};
  size_t waits_seen_ = 0;
  std::array<int64_t, history> sleeps_{};
  size_t sleeps_seen_ = 0;
};

}  // namespace ferry::ucx
