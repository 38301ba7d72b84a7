#include "mpi_shim/rma/data_layout.hpp"

#include <algorithm>
#include <climits>
#include <cstdint>

#include "mpi_shim/datatype.hpp"
#include "runtime/common/error.hpp"

namespace ferry::mpi::rma {

namespace {

std::byte* at(void* buffer, MPI_Aint offset) {
  return reinterpret_cast<std::byte*>(reinterpret_cast<uintptr_t>(buffer) + uintptr_t(offset));
}

void require_packable(size_t bytes) {
  if (bytes > size_t(INT_MAX)) throw Error(Errc::invalid_argument, "one-sided data of more than 2 GiB");
}

bool is_predefined(MPI_Datatype type) {
  int integers = 0, addresses = 0, types = 0, combiner = 0;
  PMPI_Type_get_envelope(type, &integers, &addresses, &types, &combiner);
  return combiner == MPI_COMBINER_NAMED;
}

/// Byte offsets (from the lowest byte the data touches) of the packed bytes, one per
/// packed byte: the memory is labelled with each offset's bytes in turn (one PMPI_Pack per
/// label byte), so that packing reads the labels back in the type's own order.
std::vector<uint64_t> packed_offsets(int count, MPI_Datatype type, size_t bytes, MPI_Aint lowest, size_t span) {
  std::vector<uint8_t> labels(span);
  std::vector<uint8_t> packed(bytes);
  std::vector<uint64_t> offsets(bytes, 0);
  for (unsigned shift = 0; shift == 0 || (shift < 64 && ((span - 1) >> shift) != 0); shift += 8) {
    for (size_t k = 0; k < span; ++k) labels[k] = uint8_t(k >> shift);
    int position = 0;
    PMPI_Pack(at(labels.data(), -lowest), count, type, packed.data(), int(bytes), &position, MPI_COMM_SELF);
    for (size_t j = 0; j < bytes; ++j) offsets[j] |= uint64_t(packed[j]) << shift;
  }
  return offsets;
}

}  // namespace

void blocks_of(int count, MPI_Datatype type, Blocks& blocks) {
  blocks.clear();
  const Layout layout = layout_of(count, type);
  if (layout.bytes == 0) return;
  if (layout.contiguous) {
    blocks.push_back({layout.true_lb, layout.bytes});
    return;
  }
  require_packable(layout.bytes);
  MPI_Aint lb = 0, extent = 0, true_lb = 0, true_extent = 0;
  PMPI_Type_get_extent(type, &lb, &extent);
  PMPI_Type_get_true_extent(type, &true_lb, &true_extent);
  const MPI_Aint repeats = MPI_Aint(count - 1) * extent;
  const MPI_Aint lowest = true_lb + std::min<MPI_Aint>(0, repeats);
  const MPI_Aint highest = true_lb + true_extent + std::max<MPI_Aint>(0, repeats);
  const std::vector<uint64_t> offsets = packed_offsets(count, type, layout.bytes, lowest, size_t(highest - lowest));
  for (size_t j = 0; j < offsets.size(); ++j) {
    const MPI_Aint offset = lowest + MPI_Aint(offsets[j]);
    if (!blocks.empty() && blocks.back().offset + MPI_Aint(blocks.back().length) == offset) {
      ++blocks.back().length;
    } else {
      blocks.push_back({offset, 1});
    }
  }
}

MPI_Datatype element_type_of(MPI_Datatype type) {
  int integers = 0, addresses = 0, types = 0, combiner = 0;
  PMPI_Type_get_envelope(type, &integers, &addresses, &types, &combiner);
  if (combiner == MPI_COMBINER_NAMED) return type;
  std::vector<int> integer_args(size_t(std::max(integers, 1)));
  std::vector<MPI_Aint> address_args(size_t(std::max(addresses, 1)));
  std::vector<MPI_Datatype> type_args(size_t(std::max(types, 1)));
  PMPI_Type_get_contents(type, integers, addresses, types, integer_args.data(), address_args.data(), type_args.data());
  const MPI_Datatype element = element_type_of(type_args[0]);
  for (int i = 0; i < types; ++i) {
    if (!is_predefined(type_args[size_t(i)])) PMPI_Type_free(&type_args[size_t(i)]);
  }
  return element;
}

PackedData::PackedData(const void* buffer, int count, MPI_Datatype type) {
  const Layout layout = layout_of(count, type);
  size_ = layout.bytes;
  if (layout.contiguous || size_ == 0) {
    data_ = at(const_cast<void*>(buffer), layout.true_lb);
    return;
  }
  require_packable(size_);
  copy_.resize(size_);
  int position = 0;
  PMPI_Pack(buffer, count, type, copy_.data(), int(size_), &position, MPI_COMM_SELF);
  data_ = copy_.data();
}

UnpackedData::UnpackedData(void* buffer, int count, MPI_Datatype type) : user_(buffer), count_(count), type_(type) {
  const Layout layout = layout_of(count, type);
  size_ = layout.bytes;
  if (layout.contiguous || size_ == 0) {
    data_ = at(buffer, layout.true_lb);
    return;
  }
  require_packable(size_);
  staging_.resize(size_);
  data_ = staging_.data();
}

void UnpackedData::finish() {
  if (staging_.empty()) return;
  int position = 0;
  PMPI_Unpack(staging_.data(), int(size_), &position, user_, count_, type_, MPI_COMM_SELF);
}

}  // namespace ferry::mpi::rma
