#include "runtime/common/random_bytes.hpp"

#include <algorithm>
#include <array>
#include <catch2/catch.hpp>
#include <cstddef>
#include <vector>

TEST_CASE("random bytes fill the whole span, and two draws differ", "[unit][random]") {
  // 1 MiB is more than one getrandom call may return: the rest must be filled too.
  std::vector<std::byte> large(1 << 20, std::byte{0});
  ferry::fill_random(large);
  const auto last_kib = std::span(large).last(1024);
  CHECK(std::count(last_kib.begin(), last_kib.end(), std::byte{0}) < 64);

  std::array<std::byte, 32> first{}, second{};
  ferry::fill_random(first);
  ferry::fill_random(second);
  CHECK(first != second);
  CHECK(first != std::array<std::byte, 32>{});

  ferry::fill_random({});  // nothing to fill is no error
}
