#pragma once
// Reusable storage for large transfers whose old contents never matter (invocation inputs
// and outputs). Unlike std::vector it does not zero what it allocates, and from 2 MiB up it
// maps memory with transparent huge pages requested: the first touch of 4 KiB pages costs
// a fault each, which for tens of MiB outweighs the copy itself, most of all in VMs.

#include <cstddef>

namespace ferry {

class ScratchBuffer {
 public:
  /// Allocations of this size and more are mapped with huge pages requested.
  static constexpr size_t huge_threshold = size_t{2} << 20;

  ScratchBuffer() = default;
  ScratchBuffer(ScratchBuffer&& other) noexcept;
  ScratchBuffer& operator=(ScratchBuffer&& other) noexcept;
  ScratchBuffer(const ScratchBuffer&) = delete;
  ScratchBuffer& operator=(const ScratchBuffer&) = delete;
  ~ScratchBuffer();

  /// Makes size() == `size`, growing the storage when needed. The contents are
  /// unspecified afterwards. Throws std::bad_alloc.
  void prepare(size_t size);

  std::byte* data() const noexcept { return data_; }
  size_t size() const noexcept { return size_; }
  size_t capacity() const noexcept { return capacity_; }
  /// True when the storage is an anonymous mapping (with huge pages requested).
  bool mapped() const noexcept { return mapped_; }

 private:
  void release() noexcept;

  std::byte* data_ = nullptr;
  size_t size_ = 0;
  size_t capacity_ = 0;
  bool mapped_ = false;
};

}  // namespace ferry
