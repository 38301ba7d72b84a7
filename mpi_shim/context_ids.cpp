#include "mpi_shim/context_ids.hpp"

#include <algorithm>
#include <bit>

namespace ferry::mpi {

ContextIds::ContextIds(uint32_t first, uint32_t limit)
    : taken_((size_t(limit) + 63) / 64, 0), first_(first), limit_(limit) {}

bool ContextIds::taken(uint32_t id) const noexcept {
  return id >= limit_ || id < first_ || (taken_[id / 64] >> (id % 64)) & 1U;
}

void ContextIds::mark(uint32_t id, bool taken) noexcept {
  if (id >= limit_) return;
  if (taken) {
    taken_[id / 64] |= uint64_t{1} << (id % 64);
  } else {
    taken_[id / 64] &= ~(uint64_t{1} << (id % 64));
  }
}

ContextIds::Offer ContextIds::offer(uint32_t floor) {
  Offer offer;
  uint32_t id = std::max(floor, first_);
  // Skip whole words that are full.
  while (id < limit_ && taken(id)) {
    const uint64_t word = taken_[id / 64] >> (id % 64);
    id += word == ~uint64_t{0} >> (id % 64) ? 64 - id % 64 : uint32_t(std::countr_one(word));
  }
  if (id >= limit_) return offer;
  offer.base = id;
  for (uint32_t i = 0; i < window && id + i < limit_; ++i) {
    if (taken(id + i)) continue;
    offer.free_mask |= uint64_t{1} << i;
    mark(id + i, true);
  }
  return offer;
}

void ContextIds::settle(const Offer& mine, std::optional<uint32_t> chosen) noexcept {
  for (uint32_t i = 0; i < window; ++i) {
    if ((mine.free_mask >> i) & 1U && (!chosen || mine.base + i != *chosen)) mark(mine.base + i, false);
  }
}

void ContextIds::release(uint32_t id) noexcept {
  if (id >= first_) mark(id, false);
}

std::optional<uint32_t> ContextIds::common(std::span<const Offer> offers) noexcept {
  if (offers.empty()) return std::nullopt;
  uint32_t start = 0;
  for (const Offer& offer : offers) {
    if (offer.free_mask == 0) return std::nullopt;
    start = std::max(start, offer.base);
  }
  for (uint32_t id = start;; ++id) {
    bool everywhere = true;
    for (const Offer& offer : offers) {
      if (id >= offer.base + window) return std::nullopt;
      if (!((offer.free_mask >> (id - offer.base)) & 1U)) everywhere = false;
    }
    if (everywhere) return id;
  }
}

uint32_t ContextIds::next_floor(std::span<const Offer> offers) noexcept {
  uint32_t floor = UINT32_MAX;
  for (const Offer& offer : offers) floor = std::min(floor, offer.base + window);
  return floor;
}

}  // namespace ferry::mpi
