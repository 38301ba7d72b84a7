#pragma once
// The traffic of one collective call on a hybrid communicator: every message is tagged
// with the call's sequence number and the sender's rank, so concurrent nonblocking
// collectives never match each other's messages.

#include <mpi.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "mpi_shim/communicator.hpp"
#include "mpi_shim/datatype.hpp"
#include "mpi_shim/transfer.hpp"

namespace ferry::mpi {

struct Channel {
  Comm* comm;
  uint32_t sequence;

  /// A channel for the next collective on `comm`; every rank opens them in the same order.
  static Channel open(Comm& comm) noexcept { return Channel{&comm, comm.next_sequence()}; }

  Transfer send(int dest, const void* data, size_t size, ucp_datatype_t datatype = bytes_datatype) const;
  Transfer send(int dest, const SendBuffer& buffer) const {
    return send(dest, buffer.data(), buffer.size(), buffer.datatype());
  }
  Transfer receive(int source, void* data, size_t capacity, ucp_datatype_t datatype = bytes_datatype) const;
  Transfer receive(int source, ReceiveBuffer& buffer) const {
    return receive(source, buffer.data(), buffer.capacity(), buffer.datatype());
  }
};

/// Owned storage laid out like `count` elements of `type` (reduction operands).
class TypedBuffer {
 public:
  TypedBuffer() = default;
  TypedBuffer(int count, MPI_Datatype type);
  TypedBuffer(TypedBuffer&&) noexcept = default;
  TypedBuffer& operator=(TypedBuffer&&) noexcept = default;
  /// Keeps the storage for the next collective: a fresh large allocation each call is an
  /// mmap whose pages UCX must register again for every transfer.
  ~TypedBuffer();
  /// The address to pass as the buffer argument of (count, type).
  void* base() noexcept { return storage_.data() + offset_; }

 private:
  std::vector<std::byte> storage_;
  MPI_Aint offset_ = 0;
};

MPI_Aint extent_of(MPI_Datatype type) noexcept;
/// `buffer` advanced by `elements` extents of `type`.
void* advance(const void* buffer, MPI_Aint elements, MPI_Datatype type) noexcept;
void* advance_bytes(const void* buffer, MPI_Aint bytes) noexcept;

/// Copies (source, source_count, source_type) to (dest, dest_count, dest_type) within
/// this process; MPI_ERR_TRUNCATE when the destination is too small.
int local_copy(const void* source, int source_count, MPI_Datatype source_type, void* dest, int dest_count,
               MPI_Datatype dest_type);

/// Completes receives into `buffers` once their transfers succeeded (unpacking if needed).
/// A collective's message always fills its receive buffer: MPI requires matching type
/// signatures, and a longer message already failed as truncated.
void finish_receives(std::span<ReceiveBuffer> buffers);

}  // namespace ferry::mpi
