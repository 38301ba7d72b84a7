#include "mpi_shim/datatype.hpp"

#include <climits>
#include <cstring>
#include <new>
#include <string>
#include <utility>

#include "runtime/common/error.hpp"

namespace ferry::mpi {

namespace {

/// Non-contiguous data is packed with PMPI_Pack, whose sizes are ints.
void refuse_unpackable(const Layout& layout) {
  if (layout.bytes <= size_t(INT_MAX)) return;
  throw Error(Errc::invalid_argument, "non-contiguous data of " + std::to_string(layout.bytes) +
                                          " bytes in one message: more than 2 GiB of non-contiguous data is not "
                                          "supported yet on communicators with function ranks");
}

}  // namespace

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

HeldType::~HeldType() {
  if (owned_) PMPI_Type_free(&type_);
  owned_ = false;
}

Layout layout_of(int count, MPI_Datatype type) {
  Layout layout;
  if (count <= 0) {
    layout.contiguous = true;
    return layout;
  }
  MPI_Count size = 0;
  MPI_Aint lb = 0, extent = 0, true_lb = 0, true_extent = 0;
  PMPI_Type_size_x(type, &size);
  PMPI_Type_get_extent(type, &lb, &extent);
  PMPI_Type_get_true_extent(type, &true_lb, &true_extent);
  layout.bytes = size_t(size) * size_t(count);
  layout.true_lb = true_lb;
  layout.contiguous = true_extent == size && (count == 1 || extent == size);
  return layout;
}

SendBuffer::SendBuffer(const void* buffer, int count, MPI_Datatype type) {
  const Layout layout = layout_of(count, type);
  size_ = layout.bytes;
  if (layout.contiguous) {
    data_ = static_cast<const std::byte*>(buffer) + layout.true_lb;
    return;
  }
  refuse_unpackable(layout);
  int packed_size = 0;
  PMPI_Pack_size(count, type, MPI_COMM_SELF, &packed_size);
  packed_.resize(size_t(packed_size));
  int position = 0;
  PMPI_Pack(buffer, count, type, packed_.data(), packed_size, &position, MPI_COMM_SELF);
  packed_.resize(size_t(position));
  data_ = packed_.data();
  size_ = packed_.size();
}

void SendBuffer::own() {
  if (!packed_.empty() || size_ == 0) return;
  packed_.assign(static_cast<const std::byte*>(data_), static_cast<const std::byte*>(data_) + size_);
  data_ = packed_.data();
}

ReceiveBuffer::ReceiveBuffer(void* buffer, int count, MPI_Datatype type) {
  const Layout layout = layout_of(count, type);
  capacity_ = layout.bytes;
  if (layout.contiguous) {
    data_ = static_cast<std::byte*>(buffer) + layout.true_lb;
    return;
  }
  refuse_unpackable(layout);
  staging_.resize(capacity_);
  data_ = staging_.data();
  user_ = buffer;
  count_ = count;
  type_ = HeldType(type);
}

void ReceiveBuffer::finish(size_t received) {
  if (user_ == nullptr || received == 0) return;
  int size = 0;
  MPI_Aint lb = 0, extent = 0;
  PMPI_Type_size(type_.get(), &size);
  PMPI_Type_get_extent(type_.get(), &lb, &extent);
  if (size <= 0) return;
  const int elements = int(received / size_t(size));
  const size_t remainder = received % size_t(size);
  int position = 0;
  PMPI_Unpack(staging_.data(), int(received), &position, user_, elements, type_.get(), MPI_COMM_SELF);
  if (remainder == 0) return;
  // A partial last element: its untouched part is packed from the buffer first and
  // written back unchanged.
  void* last = static_cast<std::byte*>(user_) + MPI_Aint(elements) * extent;
  std::vector<std::byte> element(static_cast<size_t>(size));
  position = 0;
  PMPI_Pack(last, 1, type_.get(), element.data(), size, &position, MPI_COMM_SELF);
  std::memcpy(element.data(), staging_.data() + size_t(elements) * size_t(size), remainder);
  position = 0;
  PMPI_Unpack(element.data(), size, &position, last, 1, type_.get(), MPI_COMM_SELF);
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
