#include "mpi_shim/datatype.hpp"

#include <cstdint>

#include <algorithm>
#include <cstring>
#include <new>
#include <utility>

#include "mpi_shim/errors.hpp"
#include "mpi_shim/streamed_data.hpp"
#include "mpi_shim/transfer.hpp"
#include "mpi_shim/type_walker.hpp"

namespace ferry::mpi {

HeldType::HeldType(MPI_Datatype type) : type_(type) {
  int integers = 0, addresses = 0, types = 0, combiner = MPI_COMBINER_NAMED;
  if (type == MPI_DATATYPE_NULL || PMPI_Type_get_envelope(type, &integers, &addresses, &types, &combiner) != MPI_SUCCESS ||
      combiner == MPI_COMBINER_NAMED)
    return;
  if (PMPI_Type_dup(type, &type_) != MPI_SUCCESS) throw std::bad_alloc();
  owned_ = true;
}

HeldType::HeldType(HeldType&& other) noexcept
    : type_(std::exchange(other.type_, MPI_DATATYPE_NULL)), owned_(std::exchange(other.owned_, false)) {}

HeldType& HeldType::operator=(HeldType&& other) noexcept {
  if (this != &other) {
    this->~HeldType();
    type_ = std::exchange(other.type_, MPI_DATATYPE_NULL);
    owned_ = std::exchange(other.owned_, false);
  }
  return *this;
}

void HeldType::release() noexcept {
  PMPI_Type_free(&type_);
  owned_ = false;
}

namespace {

// Every transfer asks for its datatype's layout. A predefined type is never freed, so its
// handle never names another type: its figures are remembered, in a small table indexed by
// the handle's address. A derived type is asked about every time.
struct TypeFigures {
  MPI_Datatype type = MPI_DATATYPE_NULL;
  bool predefined = false;
  MPI_Count size = 0;
  MPI_Aint extent = 0;
  MPI_Aint true_lb = 0;
  MPI_Aint true_extent = 0;
};
TypeFigures predefined_figures[256];

TypeFigures figures_of(MPI_Datatype type) {
  TypeFigures& slot = predefined_figures[(reinterpret_cast<uintptr_t>(type) >> 6) & 255U];
  if (slot.type == type && type != MPI_DATATYPE_NULL) return slot;
  TypeFigures figures;
  figures.type = type;
  MPI_Aint lb = 0;
  PMPI_Type_size_x(type, &figures.size);
  PMPI_Type_get_extent(type, &lb, &figures.extent);
  PMPI_Type_get_true_extent(type, &figures.true_lb, &figures.true_extent);
  int integers = 0, addresses = 0, types = 0, combiner = MPI_UNDEFINED;
  PMPI_Type_get_envelope(type, &integers, &addresses, &types, &combiner);
  figures.predefined = combiner == MPI_COMBINER_NAMED;
  if (figures.predefined) slot = figures;
  return figures;
}

}  // namespace

int type_error(MPI_Datatype type) noexcept {
  if (type == MPI_DATATYPE_NULL) return MPI_ERR_TYPE;
  if (figures_of(type).predefined) return MPI_SUCCESS;
  // Open MPI checks the datatype of a send to MPI_PROC_NULL, then sends nothing.
  return PMPI_Send(nullptr, 0, type, MPI_PROC_NULL, 0, quiet_comm()) == MPI_SUCCESS ? MPI_SUCCESS : MPI_ERR_TYPE;
}

int buffer_error(const void* buffer, int count, MPI_Datatype type) noexcept {
  if (buffer != nullptr || count <= 0) return MPI_SUCCESS;
  const TypeFigures figures = figures_of(type);
  return figures.size > 0 && figures.true_lb == 0 ? MPI_ERR_BUFFER : MPI_SUCCESS;
}

Layout layout_of(int count, MPI_Datatype type) {
  Layout layout;
  if (count <= 0) {
    layout.contiguous = true;
    return layout;
  }
  const TypeFigures figures = figures_of(type);
  layout.bytes = size_t(figures.size) * size_t(count);
  layout.true_lb = figures.true_lb;
  layout.contiguous = figures.true_extent == figures.size && (count == 1 || figures.extent == figures.size);
  return layout;
}

void SendBuffer::assign(const void* buffer, int count, MPI_Datatype type) {
  clear();
  const Layout layout = layout_of(count, type);
  size_ = layout.bytes;
  if (layout.contiguous) {
    data_ = static_cast<const std::byte*>(buffer) + layout.true_lb;
    return;
  }
  if (layout.bytes > streaming_threshold) {
    TypeWalker::require_walkable(type);
    streamed_ = std::make_unique<StreamedData>(StreamedData{const_cast<void*>(buffer), count, HeldType(type), layout.bytes});
    data_ = streamed_.get();
    return;
  }
  int packed_size = 0;
  PMPI_Pack_size(count, type, MPI_COMM_SELF, &packed_size);
  packed_.resize(size_t(packed_size));
  int position = 0;
  PMPI_Pack(buffer, count, type, packed_.data(), packed_size, &position, MPI_COMM_SELF);
  packed_.resize(size_t(position));
  data_ = packed_.data();
  size_ = packed_.size();
}

ucp_datatype_t SendBuffer::datatype() const noexcept { return streamed_ ? streamed_datatype() : bytes_datatype; }

void SendBuffer::own() {
  if (streamed_) {
    // A copy of streamed data is packed a piece at a time, so it may exceed 2 GiB.
    packed_.resize(size_);
    TypeWalker walker(streamed_->buffer, streamed_->count, streamed_->type.get(), streaming_piece);
    size_t offset = 0;
    while (auto piece = walker.next()) {
      int position = 0;
      PMPI_Pack(piece->address, piece->count, piece->type, packed_.data() + offset, int(piece->bytes), &position,
                MPI_COMM_SELF);
      offset += piece->bytes;
    }
    streamed_.reset();
    data_ = packed_.data();
    return;
  }
  if (!packed_.empty() || size_ == 0) return;
  packed_.assign(static_cast<const std::byte*>(data_), static_cast<const std::byte*>(data_) + size_);
  data_ = packed_.data();
}

void ReceiveBuffer::assign(void* buffer, int count, MPI_Datatype type) {
  clear();
  const Layout layout = layout_of(count, type);
  capacity_ = layout.bytes;
  if (layout.contiguous) {
    data_ = static_cast<std::byte*>(buffer) + layout.true_lb;
    return;
  }
  if (layout.bytes > streaming_threshold) {
    TypeWalker::require_walkable(type);
    streamed_ = std::make_unique<StreamedData>(StreamedData{buffer, count, HeldType(type), layout.bytes});
    data_ = streamed_.get();
    return;
  }
  staging_.resize(capacity_);
  data_ = staging_.data();
  user_ = buffer;
  count_ = count;
  type_ = HeldType(type);
}

ucp_datatype_t ReceiveBuffer::datatype() const noexcept { return streamed_ ? streamed_datatype() : bytes_datatype; }

void ReceiveBuffer::finish(size_t received) {
  if (!staging_.empty()) unpack_prefix(staging_.data(), received, user_, count_, type_.get());
}

void unpack_prefix(const std::byte* packed, size_t bytes, void* user, int count, MPI_Datatype type) {
  int size = 0;
  MPI_Aint lb = 0, extent = 0;
  PMPI_Type_size(type, &size);
  PMPI_Type_get_extent(type, &lb, &extent);
  if (size <= 0 || bytes == 0) return;
  const int elements = std::min(count, int(bytes / size_t(size)));
  const size_t remainder = elements == count ? 0 : bytes - size_t(elements) * size_t(size);
  int position = 0;
  PMPI_Unpack(packed, int(size_t(elements) * size_t(size)), &position, user, elements, type, MPI_COMM_SELF);
  if (remainder == 0) return;
  // A partial last element: its untouched part is packed from the buffer first and
  // written back unchanged.
  void* last = static_cast<std::byte*>(user) + MPI_Aint(elements) * extent;
  std::vector<std::byte> element(static_cast<size_t>(size));
  position = 0;
  PMPI_Pack(last, 1, type, element.data(), size, &position, MPI_COMM_SELF);
  std::memcpy(element.data(), packed + size_t(elements) * size_t(size), remainder);
  position = 0;
  PMPI_Unpack(element.data(), size, &position, last, 1, type, MPI_COMM_SELF);
}

void set_status(MPI_Status* status, int source, int tag, int error, size_t bytes, bool cancelled) {
  if (status == MPI_STATUS_IGNORE) return;
  status->MPI_SOURCE = source;
  status->MPI_TAG = tag;
  status->MPI_ERROR = error;
  status->_cancelled = cancelled ? 1 : 0;
  status->_ucount = bytes;
}

void deliver_status(MPI_Status* to, const MPI_Status& from, Completion completion) noexcept {
  if (to == MPI_STATUS_IGNORE) return;
  const int kept_error = to->MPI_ERROR;
  *to = from;
  if (completion == Completion::single) to->MPI_ERROR = kept_error;
}

void deliver_empty_status(MPI_Status* to, Completion completion) noexcept {
  MPI_Status empty{};
  set_status(&empty, MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_SUCCESS, 0);
  deliver_status(to, empty, completion);
}

}  // namespace ferry::mpi
