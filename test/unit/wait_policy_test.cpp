#include "runtime/ucx/wait_policy.hpp"

#include <catch2/catch.hpp>
#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "mpi_shim/rank_placement.hpp"
#include "runtime/common/cpus.hpp"
#include "runtime/ucx/spin_budget.hpp"

using ferry::mpi::placement_of;
using ferry::mpi::RankPlacement;
using ferry::mpi::ranks_on_my_cores;
using ferry::ucx::choose_wait;
using ferry::ucx::SpinBudget;
using ferry::ucx::WaitChoice;
using ferry::ucx::WaitMode;
using namespace std::chrono_literals;

TEST_CASE("the default polls on cores of its own and adapts where busy processes outnumber them",
          "[unit][wait-policy]") {
  CHECK(choose_wait(WaitMode::automatic, {.cores = 2, .busy = 2}) == WaitChoice{WaitMode::hot, false});
  CHECK(choose_wait(WaitMode::automatic, {.cores = 1, .busy = 1}) == WaitChoice{WaitMode::hot, false});
  CHECK(choose_wait(WaitMode::automatic, {.cores = 2, .busy = 4}) == WaitChoice{WaitMode::adaptive, true});
  CHECK(choose_wait(WaitMode::automatic, {.cores = 1, .busy = 1.5}) == WaitChoice{WaitMode::adaptive, true});
  CHECK(choose_wait(WaitMode::automatic, {.cores = 0, .busy = 2}) == WaitChoice{WaitMode::adaptive, true});
  CHECK(choose_wait(WaitMode::automatic, {.cores = 8, .busy = 3}) == WaitChoice{WaitMode::hot, false});
}

TEST_CASE("an explicit mode is kept and only learns whether its cores are shared", "[unit][wait-policy]") {
  for (const WaitMode mode : {WaitMode::hot, WaitMode::warm, WaitMode::adaptive}) {
    CHECK(choose_wait(mode, {.cores = 2, .busy = 1}) == WaitChoice{mode, false});
    CHECK(choose_wait(mode, {.cores = 2, .busy = 5}) == WaitChoice{mode, true});
  }
}

TEST_CASE("ranks count on the cores they may share with a rank", "[unit][wait-policy]") {
  SECTION("four unbound ranks on a two-core node") {
    const RankPlacement unbound = placement_of("node1", {0, 1});
    const std::vector<RankPlacement> all(4, unbound);
    CHECK(ranks_on_my_cores(unbound, all) == Approx(4.0));
    CHECK(choose_wait(WaitMode::automatic, {.cores = 2, .busy = ranks_on_my_cores(unbound, all)}).mode ==
          WaitMode::adaptive);
  }
  SECTION("two batch ranks bound to a core each, two function ranks pinned to the same cores") {
    const std::vector<RankPlacement> all{placement_of("node1", {0}), placement_of("node1", {1}),
                                         placement_of("node1", {0}), placement_of("node1", {1})};
    CHECK(ranks_on_my_cores(all[0], all) == Approx(2.0));
    CHECK(ranks_on_my_cores(all[3], all) == Approx(2.0));
  }
  SECTION("ranks on cores of their own, and ranks on another node, do not count") {
    const std::vector<RankPlacement> all{placement_of("node1", {0}), placement_of("node1", {1}),
                                         placement_of("node2", {0}), placement_of("node2", {0})};
    CHECK(ranks_on_my_cores(all[0], all) == Approx(1.0));
    CHECK(ranks_on_my_cores(all[2], all) == Approx(2.0));
  }
  SECTION("an unbound rank adds the share of its CPUs that are mine") {
    const std::vector<RankPlacement> all{placement_of("node1", {2}), placement_of("node1", {0, 1, 2, 3}),
                                         placement_of("node1", {64, 65, 130, 1023})};
    CHECK(ranks_on_my_cores(all[0], all) == Approx(1.25));
    CHECK(ferry::mpi::cpus_of(all[2]) == std::vector<int>{64, 65, 130, 1023});
    CHECK(ferry::mpi::cpu_count(all[2]) == 4);
  }
}

TEST_CASE("the spin budget is the cheapest for the recent waits", "[unit][wait-policy]") {
  const std::vector<int64_t> short_waits(32, 3'000), long_waits(32, 1'000'000), medium_waits(32, 100'000);
  // Waits shorter than a wake-up are spun through, shared cores or not.
  CHECK(SpinBudget::best_budget(short_waits.data(), 32, 20us, 1.0) == 4us);
  CHECK(SpinBudget::best_budget(short_waits.data(), 32, 20us, 0.1) == 4us);
  // Waits far beyond the ceiling are slept through at once.
  CHECK(SpinBudget::best_budget(long_waits.data(), 32, 20us, 1.0) == 0us);
  CHECK(SpinBudget::best_budget(long_waits.data(), 32, 20us, 0.1) == 0us);
  // 100 µs waits: worth spinning for on a core of one's own, not on a shared one.
  CHECK(SpinBudget::best_budget(medium_waits.data(), 32, 20us, 0.1) == 128us);
  CHECK(SpinBudget::best_budget(medium_waits.data(), 32, 20us, 1.0) == 0us);
  // A mix: spin for the short ones, sleep through the long ones.
  std::vector<int64_t> mixed(short_waits);
  std::copy(long_waits.begin(), long_waits.begin() + 8, mixed.begin());
  CHECK(SpinBudget::best_budget(mixed.data(), 32, 20us, 1.0) == 4us);
}

TEST_CASE("the spin budget learns from the waits it served", "[unit][wait-policy]") {
  SpinBudget budget(true);
  CHECK(budget.budget() == SpinBudget::initial);
  CHECK(budget.wake_cost() == SpinBudget::default_wake_cost);
  for (int i = 0; i < 16; ++i) budget.record(2us, 0us);
  CHECK(budget.budget() == 2us);
  for (int i = 0; i < 32; ++i) budget.record(900us, 890us);
  CHECK(budget.budget() == 0us);
  CHECK(budget.wake_cost() == 100us);  // long sleeps bound the wake-up from above only
  // The waits grow short again: worth spinning for against a wake-up that cost 100 µs.
  for (int i = 0; i < 32; ++i) budget.record(9us, 0us);
  CHECK(budget.budget() == 16us);
  // Quick wake-ups make sleeping cheap, and on shared cores 9 µs waits are slept through.
  for (int i = 0; i < 32; ++i) budget.record(30us, 6us);
  CHECK(budget.wake_cost() == 6us);
  for (int i = 0; i < 32; ++i) budget.record(9us, 0us);
  CHECK(budget.budget() == 0us);
  SpinBudget dedicated(false);
  for (int i = 0; i < 32; ++i) dedicated.record(30us, 6us);
  for (int i = 0; i < 32; ++i) dedicated.record(9us, 0us);
  CHECK(dedicated.budget() == 16us);
}

TEST_CASE("runnable processes on this process's cores include the busy ones", "[unit][wait-policy]") {
  std::atomic<bool> stop{false};
  std::vector<std::thread> spinners;
  for (int i = 0; i < 3; ++i) {
    spinners.emplace_back([&] {
      while (!stop.load(std::memory_order_relaxed)) {
      }
    });
  }
  std::this_thread::sleep_for(10ms);
  const auto share = ferry::ucx::observe_core_share();
  const double on_all = ferry::ucx::runnable_processes_on(ferry::allowed_cpus());
  stop = true;
  for (auto& spinner : spinners) spinner.join();
  CHECK(share.cores == ferry::allowed_cpus().size());
  CHECK(share.busy >= 3.0 * double(share.cores) / double(std::thread::hardware_concurrency()));
  CHECK(on_all >= 3.0 * double(share.cores) / double(std::thread::hardware_concurrency()));
  CHECK(ferry::ucx::observe_core_share(40).busy >= 40);
}
