#include "mpi_shim/type_walker.hpp"

#include <algorithm>
#include <climits>
#include <string>

#include "runtime/common/error.hpp"

namespace ferry::mpi {

namespace {

constexpr int bottom_combiner = -1;  // the frame of the whole (buffer, count, type)

size_t size_of(MPI_Datatype type) {
  MPI_Count size = 0;
  PMPI_Type_size_x(type, &size);
  return size > 0 ? size_t(size) : 0;
}

MPI_Aint extent_of_type(MPI_Datatype type) {
  MPI_Aint lb = 0, extent = 0;
  PMPI_Type_get_extent(type, &lb, &extent);
  return extent;
}

bool divisible(int combiner) {
  switch (combiner) {
    case MPI_COMBINER_CONTIGUOUS:
    case MPI_COMBINER_VECTOR:
    case MPI_COMBINER_HVECTOR:
    case MPI_COMBINER_INDEXED:
    case MPI_COMBINER_HINDEXED:
    case MPI_COMBINER_INDEXED_BLOCK:
    case MPI_COMBINER_HINDEXED_BLOCK:
    case MPI_COMBINER_STRUCT:
    case MPI_COMBINER_DUP:
    case MPI_COMBINER_RESIZED:
      return true;
    default:
      return false;
  }
}

}  // namespace

void TypeWalker::require_walkable(MPI_Datatype type) {
  const size_t size = size_of(type);
  if (size <= size_t(INT_MAX)) return;
  int integers = 0, addresses = 0, types = 0, combiner = MPI_COMBINER_NAMED;
  PMPI_Type_get_envelope(type, &integers, &addresses, &types, &combiner);
  if (!divisible(combiner)) {
    throw Error(Errc::invalid_argument, "a datatype element of " + std::to_string(size) +
                                            " bytes that cannot be divided (subarray, darray, ...) is more than one "
                                            "message of non-contiguous data may hold here (2 GiB)");
  }
  std::vector<int> ints(static_cast<size_t>(integers));
  std::vector<MPI_Aint> addrs(static_cast<size_t>(addresses));
  std::vector<MPI_Datatype> contained(static_cast<size_t>(types));
  PMPI_Type_get_contents(type, integers, addresses, types, ints.data(), addrs.data(), contained.data());
  struct Release {
    std::vector<MPI_Datatype>& types;
    ~Release() {
      for (MPI_Datatype& t : types) {
        int i = 0, a = 0, d = 0, c = MPI_COMBINER_NAMED;
        PMPI_Type_get_envelope(t, &i, &a, &d, &c);
        if (c != MPI_COMBINER_NAMED) PMPI_Type_free(&t);
      }
    }
  } release{contained};
  for (size_t i = 0; i < contained.size(); ++i) {
    if (std::find(contained.begin(), contained.begin() + long(i), contained[i]) == contained.begin() + long(i))
      require_walkable(contained[i]);
  }
}

TypeWalker::TypeWalker(const void* buffer, int count, MPI_Datatype type, size_t piece_limit) : limit_(piece_limit) {
  bottom_.base = static_cast<std::byte*>(const_cast<void*>(buffer));
  bottom_.combiner = bottom_combiner;
  bottom_.integers = {count};
  bottom_.types = {type};
  bottom_.runs = 1;
  restart();
}

TypeWalker::~TypeWalker() {
  for (MPI_Datatype& type : owned_) PMPI_Type_free(&type);
}

void TypeWalker::restart() {
  stack_.clear();
  stack_.push_back(bottom_);
}

MPI_Datatype TypeWalker::keep(MPI_Datatype made) {
  int integers = 0, addresses = 0, types = 0, combiner = MPI_COMBINER_NAMED;
  PMPI_Type_get_envelope(made, &integers, &addresses, &types, &combiner);
  if (combiner != MPI_COMBINER_NAMED) owned_.push_back(made);
  return made;
}

void TypeWalker::plan_chunks(Frame& frame, int blocks, int block_length, MPI_Aint stride_bytes, MPI_Datatype old) {
  const size_t block_bytes = size_t(block_length) * size_of(old);
  if (block_bytes == 0 || block_bytes > limit_) return;
  frame.chunk_blocks = int(std::min<size_t>(size_t(blocks), std::max<size_t>(1, limit_ / block_bytes)));
  PMPI_Type_create_hvector(frame.chunk_blocks, block_length, stride_bytes, old, &frame.chunk);
  PMPI_Type_commit(&frame.chunk);
  keep(frame.chunk);
  if (const int rest = blocks % frame.chunk_blocks; rest != 0) {
    PMPI_Type_create_hvector(rest, block_length, stride_bytes, old, &frame.tail);
    PMPI_Type_commit(&frame.tail);
    keep(frame.tail);
  }
  frame.runs = (blocks + frame.chunk_blocks - 1) / frame.chunk_blocks;
}

std::optional<TypeWalker::Frame> TypeWalker::open(std::byte* base, MPI_Datatype type) {
  int integers = 0, addresses = 0, types = 0, combiner = MPI_COMBINER_NAMED;
  PMPI_Type_get_envelope(type, &integers, &addresses, &types, &combiner);
  if (!divisible(combiner)) return std::nullopt;
  Frame frame;
  frame.base = base;
  frame.combiner = combiner;
  frame.integers.resize(size_t(integers));
  frame.addresses.resize(size_t(addresses));
  frame.types.resize(size_t(types));
  PMPI_Type_get_contents(type, integers, addresses, types, frame.integers.data(), frame.addresses.data(),
                         frame.types.data());
  for (MPI_Datatype contained : frame.types) keep(contained);
  switch (combiner) {
    case MPI_COMBINER_CONTIGUOUS:
    case MPI_COMBINER_DUP:
    case MPI_COMBINER_RESIZED:
      frame.runs = 1;
      break;
    case MPI_COMBINER_VECTOR:
      frame.runs = frame.integers[0];
      plan_chunks(frame, frame.integers[0], frame.integers[1],
                  MPI_Aint(frame.integers[2]) * extent_of_type(frame.types[0]), frame.types[0]);
      break;
    case MPI_COMBINER_HVECTOR:
      frame.runs = frame.integers[0];
      plan_chunks(frame, frame.integers[0], frame.integers[1], frame.addresses[0], frame.types[0]);
      break;
    default:  // the indexed family and struct: one run per block
      frame.runs = frame.integers[0];
      break;
  }
  return frame;
}

TypeWalker::Run TypeWalker::run_at(const Frame& frame, int index) const {
  const std::vector<int>& ints = frame.integers;
  const std::vector<MPI_Aint>& addrs = frame.addresses;
  const MPI_Datatype first = frame.types[0];
  switch (frame.combiner) {
    case bottom_combiner:
    case MPI_COMBINER_CONTIGUOUS:
      return {frame.base, ints[0], first};
    case MPI_COMBINER_DUP:
    case MPI_COMBINER_RESIZED:
      return {frame.base, 1, first};
    case MPI_COMBINER_VECTOR:
    case MPI_COMBINER_HVECTOR: {
      const MPI_Aint stride =
          frame.combiner == MPI_COMBINER_VECTOR ? MPI_Aint(ints[2]) * extent_of_type(first) : addrs[0];
      if (frame.chunk_blocks == 0) return {frame.base + MPI_Aint(index) * stride, ints[1], first};
      const bool last = index == frame.runs - 1 && frame.tail != MPI_DATATYPE_NULL;
      return {frame.base + MPI_Aint(index) * frame.chunk_blocks * stride, 1, last ? frame.tail : frame.chunk};
    }
    case MPI_COMBINER_INDEXED:
      return {frame.base + MPI_Aint(ints[size_t(1 + ints[0] + index)]) * extent_of_type(first), ints[size_t(1 + index)],
              first};
    case MPI_COMBINER_HINDEXED:
      return {frame.base + addrs[size_t(index)], ints[size_t(1 + index)], first};
    case MPI_COMBINER_INDEXED_BLOCK:
      return {frame.base + MPI_Aint(ints[size_t(2 + index)]) * extent_of_type(first), ints[1], first};
    case MPI_COMBINER_HINDEXED_BLOCK:
      return {frame.base + addrs[size_t(index)], ints[1], first};
    default:  // MPI_COMBINER_STRUCT
      return {frame.base + addrs[size_t(index)], ints[size_t(1 + index)], frame.types[size_t(index)]};
  }
}

std::optional<TypeWalker::Piece> TypeWalker::next() {
  while (!stack_.empty()) {
    Frame& frame = stack_.back();
    if (frame.run >= frame.runs) {
      stack_.pop_back();
      continue;
    }
    const Run run = run_at(frame, frame.run);
    const size_t size = size_of(run.type);
    const int remaining = run.count - frame.element;
    if (remaining <= 0 || size == 0) {
      ++frame.run;
      frame.element = 0;
      continue;
    }
    const MPI_Aint extent = extent_of_type(run.type);
    std::byte* const at = run.address + MPI_Aint(frame.element) * extent;
    // As many whole elements as fit under the limit, at least one.
    int take = size <= limit_ ? int(std::min<size_t>(size_t(remaining), limit_ / size)) : 1;
    std::optional<Frame> inside;
    if (size > limit_) inside = open(at, run.type);
    frame.element += take;
    if (frame.element >= run.count) {
      ++frame.run;
      frame.element = 0;
    }
    if (inside) {
      stack_.push_back(std::move(*inside));
      continue;
    }
    if (size_t(take) * size > size_t(INT_MAX)) {
      throw Error(Errc::invalid_argument, "a datatype element of " + std::to_string(size) +
                                              " bytes that cannot be divided (subarray, darray, ...) is more than "
                                              "one message of non-contiguous data may hold (2 GiB)");
    }
    return Piece{at, take, run.type, size_t(take) * size};
  }
  return std::nullopt;
}

}  // namespace ferry::mpi
