#include "mpi_shim/collectives/channel.hpp"

#include <algorithm>
#include <cstring>

#include "mpi_shim/tags.hpp"

namespace ferry::mpi {

Transfer Channel::send(int dest, const void* data, size_t size, ucp_datatype_t datatype) const {
  return Transfer::send(comm->peer(dest), internal_tag(sequence, comm->rank, comm->send_context()), data, size,
                        false, datatype);
}

Transfer Channel::receive(int source, void* data, size_t capacity, ucp_datatype_t datatype) const {
  return Transfer::receive(internal_tag(sequence, source, comm->context_id), full_mask, data, capacity, datatype);
}

namespace {
/// Storage of finished TypedBuffers, reused by the next ones (collectives run one thread
/// at a time: MPI_THREAD_SERIALIZED at most).
std::vector<std::vector<std::byte>> spare_storage;
constexpr size_t most_spares = 8;
}  // namespace

TypedBuffer::TypedBuffer(int count, MPI_Datatype type) {
  if (count <= 0) return;
  MPI_Aint lb = 0, extent = 0, true_lb = 0, true_extent = 0;
  PMPI_Type_get_extent(type, &lb, &extent);
  PMPI_Type_get_true_extent(type, &true_lb, &true_extent);
  const size_t bytes = size_t(true_extent + (count - 1) * extent);
  auto fits = std::find_if(spare_storage.begin(), spare_storage.end(),
                           [bytes](const std::vector<std::byte>& spare) { return spare.size() >= bytes; });
  if (fits == spare_storage.end() && !spare_storage.empty()) fits = spare_storage.begin();
  if (fits != spare_storage.end()) {
    storage_ = std::move(*fits);
    spare_storage.erase(fits);
  }
  if (storage_.size() < bytes) storage_.resize(bytes);
  offset_ = -true_lb;
}

TypedBuffer::~TypedBuffer() {
  if (storage_.empty() || spare_storage.size() >= most_spares) return;
  spare_storage.push_back(std::move(storage_));
}

MPI_Aint extent_of(MPI_Datatype type) noexcept {
  MPI_Aint lb = 0, extent = 0;
  PMPI_Type_get_extent(type, &lb, &extent);
  return extent;
}

void* advance(const void* buffer, MPI_Aint elements, MPI_Datatype type) noexcept {
  return advance_bytes(buffer, elements * extent_of(type));
}

void* advance_bytes(const void* buffer, MPI_Aint bytes) noexcept {
  return const_cast<char*>(static_cast<const char*>(buffer)) + bytes;
}

int local_copy(const void* source, int source_count, MPI_Datatype source_type, void* dest, int dest_count,
               MPI_Datatype dest_type) {
  const SendBuffer from(source, source_count, source_type);
  ReceiveBuffer to(dest, dest_count, dest_type);
  const size_t bytes = std::min(from.size(), to.capacity());
  if (bytes > 0) std::memmove(to.data(), from.data(), bytes);
  to.finish(bytes);
  return from.size() > to.capacity() ? MPI_ERR_TRUNCATE : MPI_SUCCESS;
}

void finish_receives(std::span<ReceiveBuffer> buffers) {
  for (ReceiveBuffer& buffer : buffers) buffer.finish(buffer.capacity());
}

}  // namespace ferry::mpi
