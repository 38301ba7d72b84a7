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

int check_type(MPI_Datatype type) noexcept { return type == MPI_DATATYPE_NULL ? MPI_ERR_TYPE : MPI_SUCCESS; }

int check_op(MPI_Op op) noexcept { return op == MPI_OP_NULL ? MPI_ERR_OP : MPI_SUCCESS; }

int check_root(const Comm& comm, int root) noexcept {
  return root < 0 || root >= comm.size() ? MPI_ERR_ROOT : MPI_SUCCESS;
}

int check_data(const void* buffer, int count, MPI_Datatype type, bool in_place_allowed) noexcept {
  if (buffer == MPI_IN_PLACE && !in_place_allowed) return MPI_ERR_BUFFER;
  if (buffer == MPI_IN_PLACE) return MPI_SUCCESS;
  return first_error({check_count(count), check_type(type)});
}

int check_counts(const Comm& comm, const int* counts) noexcept {
  if (counts == nullptr) return MPI_ERR_ARG;
  for (int rank = 0; rank < comm.size(); ++rank) {
    if (counts[rank] < 0) return MPI_ERR_COUNT;
  }
  return MPI_SUCCESS;
}

int check_counts(const Comm& comm, const int* counts, const int* displs) noexcept {
  return displs == nullptr ? MPI_ERR_ARG : check_counts(comm, counts);
}

}  // namespace ferry::mpi
