#include "runtime/client/invocation_slots.hpp"

namespace ferry::client {

void InvocationSlots::grow(size_t count) {
  const size_t old_size = slots_.size();
  slots_.resize(old_size + count);
  free_.reserve(slots_.size());
  for (size_t i = slots_.size(); i > old_size; --i) free_.push_back(static_cast<uint32_t>(i - 1));
}

uint32_t InvocationSlots::acquire() {
  if (free_.empty()) grow(slots_.size());
  const uint32_t index = free_.back();
  free_.pop_back();
  InvocationSlot& slot = slots_[index];
  const uint32_t generation = slot.generation + 1;
  slot = InvocationSlot{};
  slot.generation = generation;
  slot.state = InvocationSlot::State::in_flight;
  return index;
}

void InvocationSlots::release(uint32_t index) {
  slots_[index].state = InvocationSlot::State::free;
  free_.push_back(index);
}

InvocationSlot* InvocationSlots::find(uint64_t invocation_id) noexcept {
  const auto index = static_cast<uint32_t>(invocation_id & 0xffffffffU);
  const auto generation = static_cast<uint32_t>(invocation_id >> 32);
  if (index >= slots_.size()) return nullptr;
  InvocationSlot& slot = slots_[index];
  if (slot.generation != generation || slot.state != InvocationSlot::State::in_flight) return nullptr;
  return &slot;
}

}  // namespace ferry::client
