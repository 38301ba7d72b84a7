#pragma once
// (buffer, count, datatype) as bytes on the wire. Contiguous data travels straight from
// and into the user's buffer; anything else is packed with PMPI_Pack / PMPI_Unpack, so
// every committed Open MPI datatype works between any two ranks.

#include <mpi.h>

#include <ucp/api/ucp.h>

#include <cstddef>
#include <memory>
#include <vector>

namespace ferry::mpi {

/// A datatype kept usable while an operation needs it, even if the user frees it in
/// between (MPI_Type_free only marks a type in use): derived types are duplicated and the
/// duplicate freed with this object; predefined types are never freed and are kept as is.
class HeldType {
 public:
  HeldType() = default;
  explicit HeldType(MPI_Datatype type);
  HeldType(HeldType&& other) noexcept;
  HeldType& operator=(HeldType&& other) noexcept;
  HeldType(const HeldType&) = delete;
  HeldType& operator=(const HeldType&) = delete;
  ~HeldType() { reset(); }
  MPI_Datatype get() const noexcept { return type_; }
  /// Lets go of the type (frees a duplicate).
  void reset() noexcept {
    if (owned_) release();
    type_ = MPI_DATATYPE_NULL;
  }

 private:
  void release() noexcept;
  MPI_Datatype type_ = MPI_DATATYPE_NULL;
  bool owned_ = false;
};

/// Size in bytes of `count` elements, and whether they are one contiguous block.
struct Layout {
  size_t bytes = 0;
  bool contiguous = false;
  MPI_Aint true_lb = 0;
};
Layout layout_of(int count, MPI_Datatype type);

/// MPI_ERR_TYPE for MPI_DATATYPE_NULL and for a datatype Open MPI takes for no message (one
/// that is not committed), MPI_SUCCESS otherwise.
int type_error(MPI_Datatype type) noexcept;
/// MPI_ERR_BUFFER when `count` elements of `type` would be reached through a null buffer:
/// `type` has data at its origin (MPI_BOTTOM goes with types of absolute addresses),
/// MPI_SUCCESS otherwise. `type` must be valid.
int buffer_error(const void* buffer, int count, MPI_Datatype type) noexcept;

/// What a streamed send or receive describes (see streamed_data.hpp); its address is
/// the buffer handed to UCX, and it must outlive the transfer.
struct StreamedData {
  void* buffer = nullptr;
  int count = 0;
  HeldType type;
  size_t bytes = 0;
};

/// Bytes to send. Large non-contiguous data is not packed here but streamed: data() is
/// then a descriptor for the UCX datatype datatype().
class SendBuffer {
 public:
  SendBuffer() = default;
  SendBuffer(const void* buffer, int count, MPI_Datatype type) { assign(buffer, count, type); }
  /// Describes (or packs) `count` elements of `type` at `buffer` in place of what it held.
  void assign(const void* buffer, int count, MPI_Datatype type);
  const void* data() const noexcept { return data_; }
  size_t size() const noexcept { return size_; }
  ucp_datatype_t datatype() const noexcept;
  /// Copies the data into owned storage (buffered sends, persistent restarts do not).
  void own();
  /// Back to an empty buffer, cheaply (pooled requests).
  void clear() noexcept {
    data_ = nullptr;
    size_ = 0;
    if (packed_.capacity() != 0) packed_ = {};
    if (streamed_) streamed_.reset();
  }

 private:
  const void* data_ = nullptr;
  size_t size_ = 0;
  std::vector<std::byte> packed_;
  std::unique_ptr<StreamedData> streamed_;
};

/// Where received bytes go; finish() unpacks them into the user's buffer.
class ReceiveBuffer {
 public:
  ReceiveBuffer() = default;
  ReceiveBuffer(void* buffer, int count, MPI_Datatype type) { assign(buffer, count, type); }
  /// Describes `count` elements of `type` at `buffer` (staged or streamed when they are not
  /// contiguous) in place of what it held.
  void assign(void* buffer, int count, MPI_Datatype type);
  void* data() noexcept { return data_; }
  size_t capacity() const noexcept { return capacity_; }
  ucp_datatype_t datatype() const noexcept;
  /// Unpacks `received` bytes (non-contiguous types packed whole); a no-op for contiguous
  /// and streamed ones.
  void finish(size_t received);
  /// Back to an empty buffer, cheaply (pooled requests).
  void clear() noexcept {
    data_ = user_ = nullptr;
    capacity_ = 0;
    count_ = 0;
    if (staging_.capacity() != 0) staging_ = {};
    type_.reset();
    if (streamed_) streamed_.reset();
  }

 private:
  void* data_ = nullptr;
  size_t capacity_ = 0;
  std::vector<std::byte> staging_;  ///< non-empty: received here, unpacked into user_ by finish()
  void* user_ = nullptr;             ///< may be MPI_BOTTOM (null) with a type of absolute addresses
  int count_ = 0;
  HeldType type_;
  std::unique_ptr<StreamedData> streamed_;
};

/// Unpacks the first `bytes` of `packed` (count elements of type, packed) into `user`; a
/// partial last element keeps what the buffer held in its other bytes.
void unpack_prefix(const std::byte* packed, size_t bytes, void* user, int count, MPI_Datatype type);

/// Fills the status fields Open MPI's own PMPI_Get_count / Get_elements read.
void set_status(MPI_Status* status, int source, int tag, int error, size_t bytes, bool cancelled = false);

/// Whether a call completes one request or several: only calls that complete several
/// (Waitall, Testall, Waitsome, Testsome) write MPI_ERROR into the caller's status.
enum class Completion { single, multiple };
/// Hands a status to the caller's `to` (which may be MPI_STATUS_IGNORE).
void deliver_status(MPI_Status* to, const MPI_Status& from, Completion completion) noexcept;
/// Hands the empty status (of a null or inactive request) to the caller's `to`.
void deliver_empty_status(MPI_Status* to, Completion completion) noexcept;

}  // namespace ferry::mpi
