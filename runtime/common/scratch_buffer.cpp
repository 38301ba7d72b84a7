#include "runtime/common/scratch_buffer.hpp"

#include <sys/mman.h>

#include <new>
#include <utility>

namespace ferry {

namespace {
constexpr std::align_val_t alignment{64};
}

ScratchBuffer::ScratchBuffer(ScratchBuffer&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      capacity_(std::exchange(other.capacity_, 0)),
      mapped_(std::exchange(other.mapped_, false)) {}

ScratchBuffer& ScratchBuffer::operator=(ScratchBuffer&& other) noexcept {
  if (this != &other) {
    release();
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
    capacity_ = std::exchange(other.capacity_, 0);
    mapped_ = std::exchange(other.mapped_, false);
  }
  return *this;
}

ScratchBuffer::~ScratchBuffer() { release(); }

void ScratchBuffer::prepare(size_t size) {
  if (size <= capacity_) {
    size_ = size;
    return;
  }
  release();
  if (size >= huge_threshold) {
    const size_t rounded = (size + huge_threshold - 1) / huge_threshold * huge_threshold;
    void* address = ::mmap(nullptr, rounded, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (address == MAP_FAILED) throw std::bad_alloc();
    // Advisory: without transparent huge pages the mapping still works with small pages.
    ::madvise(address, rounded, MADV_HUGEPAGE);
    data_ = static_cast<std::byte*>(address);
    capacity_ = rounded;
    mapped_ = true;
  } else {
    data_ = static_cast<std::byte*>(::operator new(size, alignment));
    capacity_ = size;
    mapped_ = false;
  }
  size_ = size;
}

void ScratchBuffer::release() noexcept {
  if (data_ == nullptr) return;
  if (mapped_) {
    ::munmap(data_, capacity_);
  } else {
    ::operator delete(data_, alignment);
  }
  data_ = nullptr;
  size_ = capacity_ = 0;
  mapped_ = false;
}

}  // namespace ferry
