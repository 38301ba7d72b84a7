#pragma once
// Context ids of hybrid communicators: which ones this process uses, and how the members
// of a new communicator agree on one they all have free, in one exchange as a rule.
//
// Each member offers a window of 64 ids starting at its lowest free id at or above a
// floor, and reserves what it offers until the agreement settles, so that agreements in
// flight at the same time (MPI_Comm_idup) never hand out the same id. Everyone sees every
// offer, so every member picks the same id: the smallest one free in all windows. When
// the windows share none, no common free id lies below the lowest window end, which is
// the next round's floor. Freed ids return to the pool.

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace ferry::mpi {

class ContextIds {
 public:
  static constexpr uint32_t window = 64;

  struct Offer {
    uint32_t base = 0;       ///< the first id of the window; 0 when nothing is free
    uint32_t padding = 0;
    uint64_t free_mask = 0;  ///< bit i: base + i is offered
  };

  /// `limit` is one past the largest usable id; ids below `first` are never handed out.
  ContextIds(uint32_t first, uint32_t limit);

  /// Offers (and reserves) the free ids of the window at the lowest free id >= floor.
  Offer offer(uint32_t floor);
  /// Ends an agreement: the offered ids go back to the pool, except `chosen`, which stays taken.
  void settle(const Offer& mine, std::optional<uint32_t> chosen) noexcept;
  /// Returns an id of a freed communicator to the pool.
  void release(uint32_t id) noexcept;
  bool taken(uint32_t id) const noexcept;

  /// The smallest id that every offer holds.
  static std::optional<uint32_t> common(std::span<const Offer> offers) noexcept;
  /// Where the next round starts when `offers` hold no common id.
  static uint32_t next_floor(std::span<const Offer> offers) noexcept;

 private:
  void mark(uint32_t id, bool taken) noexcept;
  std::vector<uint64_t> taken_;  // one bit per id
  uint32_t first_;
  uint32_t limit_;
};

}  // namespace ferry::mpi
