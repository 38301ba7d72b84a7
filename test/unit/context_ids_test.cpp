// The context-id pool of hybrid communicators: offers, agreement, reuse, exhaustion.

#include <catch2/catch.hpp>

#include <algorithm>
#include <optional>
#include <vector>

#include "mpi_shim/context_ids.hpp"

using ferry::mpi::ContextIds;

namespace {

/// Runs the agreement as every member would: offer, find the common id, settle, repeat.
std::optional<uint32_t> agree(std::vector<ContextIds*> members) {
  uint32_t floor = 1;
  for (;;) {
    std::vector<ContextIds::Offer> offers;
    for (ContextIds* member : members) offers.push_back(member->offer(floor));
    for (const ContextIds::Offer& offer : offers) {
      if (offer.free_mask == 0) {
        for (size_t i = 0; i < members.size(); ++i) members[i]->settle(offers[i], std::nullopt);
        return std::nullopt;
      }
    }
    const std::optional<uint32_t> chosen = ContextIds::common(offers);
    for (size_t i = 0; i < members.size(); ++i) members[i]->settle(offers[i], chosen);
    if (chosen) return chosen;
    floor = ContextIds::next_floor(offers);
  }
}

}  // namespace

TEST_CASE("a lone member gets the lowest free ids in turn, and freed ones again") {
  ContextIds ids(1, 1000);
  CHECK(agree({&ids}) == 1U);
  CHECK(agree({&ids}) == 2U);
  CHECK(agree({&ids}) == 3U);
  ids.release(2);
  CHECK_FALSE(ids.taken(2));
  CHECK(agree({&ids}) == 2U);
  CHECK(agree({&ids}) == 4U);
}

TEST_CASE("members agree on the smallest id free on all of them") {
  ContextIds a(1, 1000), b(1, 1000);
  for (int i = 0; i < 5; ++i) REQUIRE(agree({&a}));  // a uses 1..5
  REQUIRE(agree({&b}) == 1U);                         // b uses 1
  CHECK(agree({&a, &b}) == 6U);
  a.release(3);
  CHECK(agree({&a, &b}) == 3U);
  CHECK(a.taken(3));
  CHECK(b.taken(3));
  CHECK_FALSE(b.taken(2));
}

TEST_CASE("windows without a common id lead to another round, never to a shared id") {
  ContextIds a(1, 4096), b(1, 4096);
  // a has every odd id below 300 taken, b every even one: their first windows share nothing.
  for (uint32_t id = 1; id < 300; ++id) {
    ContextIds& owner = id % 2 ? a : b;
    const ContextIds::Offer offer = owner.offer(id);
    REQUIRE(offer.base == id);
    owner.settle(offer, id);
  }
  const std::optional<uint32_t> chosen = agree({&a, &b});
  REQUIRE(chosen);
  CHECK(*chosen == 300U);
  CHECK_FALSE(a.taken(301));
}

TEST_CASE("offers in flight reserve their ids, so concurrent agreements never collide") {
  ContextIds a(1, 1000), b(1, 1000), c(1, 1000);
  // a takes part in two agreements at once: with b, and with c.
  const ContextIds::Offer a_first = a.offer(1), b_first = b.offer(1);
  const ContextIds::Offer a_second = a.offer(1), c_second = c.offer(1);
  const std::vector<ContextIds::Offer> first{a_first, b_first}, second{a_second, c_second};
  const std::optional<uint32_t> one = ContextIds::common(first);
  REQUIRE(one == 1U);
  // What a offered the first agreement is not offered to the second.
  CHECK_FALSE(ContextIds::common(second));
  const uint32_t floor = ContextIds::next_floor(second);
  a.settle(a_second, std::nullopt);
  c.settle(c_second, std::nullopt);
  a.settle(a_first, one);
  b.settle(b_first, one);
  const ContextIds::Offer a_again = a.offer(floor), c_again = c.offer(floor);
  const std::optional<uint32_t> two = ContextIds::common(std::vector<ContextIds::Offer>{a_again, c_again});
  REQUIRE(two);
  CHECK(*two != *one);
  a.settle(a_again, two);
  c.settle(c_again, two);
  CHECK(a.taken(*one));
  CHECK(a.taken(*two));
  CHECK_FALSE(c.taken(*one));
}

TEST_CASE("a million communicators created and freed never run out of ids") {
  ContextIds a(1, 1U << 20), b(1, 1U << 20);
  std::vector<uint32_t> alive;
  for (int round = 0; round < 1100000; ++round) {
    const std::optional<uint32_t> id = agree({&a, &b});
    REQUIRE(id);
    alive.push_back(*id);
    if (alive.size() > 10) {
      a.release(alive.front());
      b.release(alive.front());
      alive.erase(alive.begin());
    }
  }
  CHECK(*std::max_element(alive.begin(), alive.end()) < 64U);
}

TEST_CASE("when every id is taken, the agreement says so") {
  ContextIds ids(1, 130);
  for (int i = 0; i < 129; ++i) REQUIRE(agree({&ids}));
  CHECK_FALSE(agree({&ids}));
  ids.release(77);
  CHECK(agree({&ids}) == 77U);
}
