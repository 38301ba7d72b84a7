#include "mpi_shim/streamed_data.hpp"

#include <algorithm>
#include <cstring>
#include <exception>
#include <memory>
#include <new>
#include <optional>
#include <vector>

#include <spdlog/spdlog.h>

#include "mpi_shim/type_walker.hpp"

namespace ferry::mpi {

namespace {

/// One transfer's position in the stream: the piece in hand, packed in `bounce`.
class StreamState {
 public:
  StreamState(const StreamedData& data, bool receiving)
      : data_(data), walker_(data.buffer, data.count, data.type.get(), streaming_piece), receiving_(receiving) {}

  size_t size() const noexcept { return data_.bytes; }

  size_t pack(size_t offset, std::byte* dest, size_t room) {
    if (offset != position_) seek(offset);
    size_t written = 0;
    while (written < room) {
      if (used_ == held_ && !load(true)) break;
      const size_t n = std::min(room - written, held_ - used_);
      std::memcpy(dest + written, bounce_.data() + used_, n);
      used_ += n;
      written += n;
    }
    position_ += written;
    return written;
  }

  ucs_status_t unpack(size_t offset, const std::byte* source, size_t length) {
    if (offset != position_) seek(offset);
    while (length > 0) {
      if (used_ == held_ && !load(false)) return UCS_ERR_MESSAGE_TRUNCATED;
      const size_t n = std::min(length, held_ - used_);
      std::memcpy(bounce_.data() + used_, source, n);
      used_ += n;
      source += n;
      length -= n;
      position_ += n;
      if (used_ == held_) store(held_);
    }
    return UCS_OK;
  }

  /// A message shorter than the receive buffer leaves a piece half filled.
  void finish() {
    if (receiving_ && piece_ && used_ > 0 && used_ < held_) store(used_);
  }

 private:
  /// Takes the next piece; a sender packs it, a receiver collects its bytes first.
  bool load(bool packing) {
    piece_ = walker_.next();
    used_ = held_ = 0;
    if (!piece_) return false;
    held_ = piece_->bytes;
    if (bounce_.size() < held_) bounce_.resize(held_);
    if (packing) pack_piece(bounce_.data());
    return true;
  }

  void pack_piece(std::byte* into) const {
    int position = 0;
    PMPI_Pack(piece_->address, piece_->count, piece_->type, into, int(piece_->bytes), &position, MPI_COMM_SELF);
  }

  /// Unpacks the first `bytes` of the piece in hand into the user's buffer; the rest of a
  /// piece (a short message) keeps what the buffer held.
  void store(size_t bytes) {
    unpack_prefix(bounce_.data(), bytes, piece_->address, piece_->count, piece_->type);
    piece_.reset();
    used_ = held_ = 0;
  }

  /// Starts over and walks to `offset` (UCX asks in order as a rule; this is the exception).
  void seek(size_t offset) {
    walker_.restart();
    piece_.reset();
    used_ = held_ = 0;
    size_t start = 0;
    while (auto piece = walker_.next()) {
      if (start + piece->bytes > offset) {
        piece_ = piece;
        held_ = piece->bytes;
        if (bounce_.size() < held_) bounce_.resize(held_);
        // A receiver that lands inside a piece keeps the bytes before it from the buffer.
        pack_piece(bounce_.data());
        used_ = offset - start;
        break;
      }
      start += piece->bytes;
    }
    position_ = offset;
  }

  const StreamedData& data_;
  TypeWalker walker_;
  std::optional<TypeWalker::Piece> piece_;
  std::vector<std::byte> bounce_;
  size_t held_ = 0;
  size_t used_ = 0;
  size_t position_ = 0;
  bool receiving_;
};

void* begin(const void* buffer, bool receiving) noexcept {
  try {
    return new StreamState(*static_cast<const StreamedData*>(buffer), receiving);
  } catch (const std::exception& error) {
    spdlog::error("streaming a message failed to start: {}", error.what());
    return nullptr;
  }
}

void* start_pack(void*, const void* buffer, size_t) noexcept { return begin(buffer, false); }

void* start_unpack(void*, void* buffer, size_t) noexcept { return begin(buffer, true); }

size_t packed_size(void* state) noexcept { return state ? static_cast<StreamState*>(state)->size() : 0; }

size_t pack(void* state, size_t offset, void* dest, size_t max_length) noexcept {
  try {
    return state ? static_cast<StreamState*>(state)->pack(offset, static_cast<std::byte*>(dest), max_length) : 0;
  } catch (const std::exception& error) {
    spdlog::error("packing a streamed message failed: {}", error.what());
    return 0;
  }
}

ucs_status_t unpack(void* state, size_t offset, const void* source, size_t length) noexcept {
  if (state == nullptr) return UCS_ERR_INVALID_PARAM;
  try {
    return static_cast<StreamState*>(state)->unpack(offset, static_cast<const std::byte*>(source), length);
  } catch (const std::exception& error) {
    spdlog::error("unpacking a streamed message failed: {}", error.what());
    return UCS_ERR_INVALID_PARAM;
  }
}

void finish(void* state) noexcept {
  auto* stream = static_cast<StreamState*>(state);
  if (stream == nullptr) return;
  try {
    stream->finish();
  } catch (const std::exception& error) {
    spdlog::error("finishing a streamed message failed: {}", error.what());
  }
  delete stream;
}

}  // namespace

ucp_datatype_t streamed_datatype() {
  static const ucp_datatype_t datatype = [] {
    static const ucp_generic_dt_ops_t ops = {start_pack, start_unpack, packed_size, pack, unpack, finish};
    ucp_datatype_t made = 0;
    if (ucp_dt_create_generic(&ops, nullptr, &made) != UCS_OK) throw std::bad_alloc();
    return made;
  }();
  return datatype;
}

}  // namespace ferry::mpi
