#pragma once
// The memory of a window made by MPI_Win_allocate_shared: one POSIX shared-memory segment
// that every member (all on one host) maps, each member's part after the one before it.

#include <cstddef>
#include <string>

namespace ferry::mpi::rma {

/// A mapped shared-memory segment; unmapped on destruction.
class SharedSegment {
 public:
  /// Creates the segment `name` of `length` bytes (the first member) or opens it (the others).
  SharedSegment(const std::string& name, size_t length, bool create);
  SharedSegment(const SharedSegment&) = delete;
  SharedSegment& operator=(const SharedSegment&) = delete;
  ~SharedSegment();

  std::byte* data() const noexcept { return data_; }
  /// Removes the name once every member has mapped the segment; the mappings stay.
  void unlink() noexcept;

 private:
  std::string name_;
  std::byte* data_ = nullptr;
  size_t length_ = 0;
};

}  // namespace ferry::mpi::rma
