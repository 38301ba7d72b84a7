#pragma once
// Invocations in flight, in a table that is allocated once and reused, so the invocation
// path allocates nothing. An invocation id is (generation << 32 | slot), so a late or
// forged result for a reused slot is recognised and dropped.

#include <ucp/api/ucp.h>

#include <cstdint>
#include <vector>

#include "runtime/wire/invocation.hpp"

namespace ferry::client {

struct ExecutorState;

struct InvocationSlot {
  enum class State : uint8_t { free, in_flight, receiving, done };
  State state = State::free;
  uint32_t generation = 0;
  wire::InvokeHeader header{};  // must live until the send completes
  void* output = nullptr;
  size_t capacity = 0;
  int64_t result = 0;
  ucs_status_ptr_t send = nullptr;
  ucs_status_ptr_t receive = nullptr;
  ExecutorState* executor = nullptr;
  uint32_t thread = 0;
};

class InvocationSlots {
 public:
  explicit InvocationSlots(size_t initial = 256) { grow(initial); }

  /// A free slot's index (the table grows when all are taken).
  uint32_t acquire();
  void release(uint32_t index);
  InvocationSlot& operator[](uint32_t index) noexcept { return slots_[index]; }
  uint64_t invocation_id(uint32_t index) const noexcept {
    return (static_cast<uint64_t>(slots_[index].generation) << 32) | index;
  }
  /// The slot an id names, or nullptr when it names no invocation in flight.
  InvocationSlot* find(uint64_t invocation_id) noexcept;
  size_t size() const noexcept { return slots_.size(); }

 private:
  void grow(size_t count);
  std::vector<InvocationSlot> slots_;
  std::vector<uint32_t> free_;
};

}  // namespace ferry::client
