#pragma once
// (buffer, count, datatype) on either side of a one-sided operation: the origin's data as
// packed bytes, the target's as the contiguous blocks of memory it covers.

#include <mpi.h>

#include <boost/container/small_vector.hpp>

#include <cstddef>
#include <vector>

namespace ferry::mpi::rma {

/// A contiguous piece of memory, at `offset` bytes from the buffer's address.
struct Block {
  MPI_Aint offset = 0;
  size_t length = 0;
};

/// The blocks (count, type) covers, in the order PMPI_Pack reads them, adjacent ones
/// joined: the packed bytes of the data are the blocks' bytes one after the other. Most
/// accesses are one block, which then costs no allocation.
using Blocks = boost::container::small_vector<Block, 2>;
void blocks_of(int count, MPI_Datatype type, Blocks& blocks);

/// The predefined type a datatype is made of (the one an accumulate's operation applies to).
MPI_Datatype element_type_of(MPI_Datatype type);

/// Origin data as packed bytes: the user's own bytes when they are contiguous, else a copy.
class PackedData {
 public:
  PackedData(const void* buffer, int count, MPI_Datatype type);
  const std::byte* data() const noexcept { return data_; }
  size_t size() const noexcept { return size_; }
  /// True when data() is the user's own buffer rather than a copy.
  bool in_place() const noexcept { return copy_.empty(); }

 private:
  const std::byte* data_ = nullptr;
  size_t size_ = 0;
  std::vector<std::byte> copy_;
};

/// Where packed bytes arrive for (buffer, count, type): straight in the user's buffer when
/// it is contiguous, else in staging that finish() unpacks.
class UnpackedData {
 public:
  UnpackedData(void* buffer, int count, MPI_Datatype type);
  std::byte* data() noexcept { return data_; }
  size_t size() const noexcept { return size_; }
  /// True when data() is the user's own buffer (finish() has nothing to unpack).
  bool in_place() const noexcept { return staging_.empty(); }
  void finish();

 private:
  std::byte* data_ = nullptr;
  size_t size_ = 0;
  void* user_;
  int count_;
  MPI_Datatype type_;
  std::vector<std::byte> staging_;
};

}  // namespace ferry::mpi::rma
