#include "mpi_shim/collectives/entry.hpp"

#include <algorithm>

namespace ferry::mpi {

std::vector<HeldType> hold_types(std::span<MPI_Datatype* const> types) {
  std::vector<MPI_Datatype> originals;
  std::vector<HeldType> held;
  for (MPI_Datatype* type : types) {
    if (type == nullptr) continue;
    const auto seen = std::find(originals.begin(), originals.end(), *type);
    if (seen != originals.end()) {
      *type = held[size_t(seen - originals.begin())].get();
      continue;
    }
    originals.push_back(*type);
    held.emplace_back(*type);
    *type = held.back().get();
  }
  return held;
}

int first_error(std::initializer_list<int> codes) noexcept {
  for (int code : codes) {
    if (code != MPI_SUCCESS) return code;
  }
  return MPI_SUCCESS;
}

int check_count(int count) noexcept { return count < 0 ? MPI_ERR_COUNT : MPI_SUCCESS; }

int check_type(MPI_Datatype type) noexcept { return type_error(type); }

int check_op(MPI_Op op, MPI_Datatype type) noexcept {
  if (op == MPI_OP_NULL) return MPI_ERR_OP;
  if (type_error(type) != MPI_SUCCESS) return MPI_SUCCESS;
  // Open MPI checks the operation and the datatype of a reduction of nothing, then returns.
  return PMPI_Reduce(nullptr, nullptr, 0, type, op, 0, quiet_comm()) == MPI_SUCCESS ? MPI_SUCCESS : MPI_ERR_OP;
}

int check_root(const Comm& comm, int root) noexcept {
  return root < 0 || root >= comm.size() ? MPI_ERR_ROOT : MPI_SUCCESS;
}

int check_data(const void* buffer, int count, MPI_Datatype type, bool in_place_allowed) noexcept {
  if (buffer == MPI_IN_PLACE && !in_place_allowed) return MPI_ERR_BUFFER;
  if (buffer == MPI_IN_PLACE) return MPI_SUCCESS;
  return first_error({check_count(count), check_type(type)});
}

int check_buffer(const void* buffer, int count, MPI_Datatype type, bool in_place_allowed) noexcept {
  if (const int error = check_data(buffer, count, type, in_place_allowed)) return error;
  return buffer == MPI_IN_PLACE ? MPI_SUCCESS : buffer_error(buffer, count, type);
}

int check_not_in_place_receive(const void* receive) noexcept {
  return receive == MPI_IN_PLACE ? MPI_ERR_BUFFER : MPI_SUCCESS;
}

int check_counts(int entries, const int* counts) noexcept {
  if (counts == nullptr) return MPI_ERR_ARG;
  for (int rank = 0; rank < entries; ++rank) {
    if (counts[rank] < 0) return MPI_ERR_COUNT;
  }
  return MPI_SUCCESS;
}

int check_counts(const Comm& comm, const int* counts) noexcept { return check_counts(comm.size(), counts); }

int check_counts(int entries, const int* counts, const int* displs) noexcept {
  return displs == nullptr ? MPI_ERR_ARG : check_counts(entries, counts);
}

int check_counts(const Comm& comm, const int* counts, const int* displs) noexcept {
  return check_counts(comm.size(), counts, displs);
}

int check_types(int entries, const MPI_Datatype* types) noexcept {
  if (types == nullptr) return MPI_ERR_ARG;
  for (int rank = 0; rank < entries; ++rank) {
    if (types[rank] == MPI_DATATYPE_NULL) return MPI_ERR_TYPE;
  }
  return MPI_SUCCESS;
}

std::vector<int> copy_array(int entries, const int* values) { return std::vector<int>(values, values + entries); }

std::vector<int> uniform_counts(int entries, int count) { return std::vector<int>(size_t(entries), count); }

std::vector<int> uniform_displs(int entries, int count) {
  std::vector<int> displs(size_t(entries), 0);
  for (int rank = 0; rank < entries; ++rank) displs[size_t(rank)] = rank * count;
  return displs;
}

std::vector<Block> blocks(int entries, const int* counts, const int* displs, MPI_Datatype type) {
  const MPI_Aint extent = extent_of(type);
  std::vector<Block> result(static_cast<size_t>(entries));
  for (int rank = 0; rank < entries; ++rank) result[size_t(rank)] = {counts[rank], displs[rank] * extent, type};
  return result;
}

std::vector<Block> blocks(int entries, const int* counts, const int* displs, const MPI_Datatype* types) {
  std::vector<Block> result(static_cast<size_t>(entries));
  for (int rank = 0; rank < entries; ++rank) result[size_t(rank)] = {counts[rank], displs[rank], types[rank]};
  return result;
}

}  // namespace ferry::mpi
