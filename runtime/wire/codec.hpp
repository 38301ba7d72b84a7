#pragma once
// Byte-level building blocks of the wire encoding: integers little-endian, strings and
// byte blobs as a u32 length then the bytes, lists as a u32 count then the elements.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ferry::wire {

/// Appends encoded values to a growing buffer.
class Writer {
 public:
  void u8(uint8_t value) { buffer_.push_back(std::byte{value}); }
  void u16(uint16_t value) { put(value, sizeof value); }
  void u32(uint32_t value) { put(value, sizeof value); }
  void u64(uint64_t value) { put(value, sizeof value); }
  void i32(int32_t value) { u32(static_cast<uint32_t>(value)); }
  void i64(int64_t value) { u64(static_cast<uint64_t>(value)); }
  void boolean(bool value) { u8(value ? 1 : 0); }
  /// Length-prefixed; throws Error(invalid_argument) beyond 4 GiB.
  void string(std::string_view value);
  /// Length-prefixed; throws Error(invalid_argument) beyond 4 GiB.
  void bytes(std::span<const std::byte> value);
  /// Exactly `value`, without a length (fixed-size fields).
  void raw(std::span<const std::byte> value);
  /// A u32 count, then `write_item(item)` for each item.
  template <class T, class WriteItem>
  void list(const std::vector<T>& items, WriteItem&& write_item) {
    length(items.size());
    for (const T& item : items) write_item(item);
  }

  /// Overwrites four bytes at `offset` (written earlier) with `value`.
  void patch_u32(size_t offset, uint32_t value);
  size_t size() const noexcept { return buffer_.size(); }
  std::span<const std::byte> view() const noexcept { return buffer_; }
  std::vector<std::byte> take() noexcept { return std::move(buffer_); }

 private:
  void put(uint64_t value, size_t width);
  void length(size_t value);
  std::vector<std::byte> buffer_;
};

/// Consumes encoded values from a span. Every failure throws Error(Errc::protocol) naming
/// the field, where it is, and what is wrong; no length is trusted before it is checked.
class Reader {
 public:
  explicit Reader(std::span<const std::byte> bytes) noexcept : bytes_(bytes) {}

  /// Names what is being read, for error messages: a message and optionally a field group.
  void set_context(std::string_view message, std::string_view group = {}) noexcept {
    message_ = message;
    group_ = group;
  }

  uint8_t u8(std::string_view field) { return static_cast<uint8_t>(get(field, 1)); }
  uint16_t u16(std::string_view field) { return static_cast<uint16_t>(get(field, 2)); }
  uint32_t u32(std::string_view field) { return static_cast<uint32_t>(get(field, 4)); }
  uint64_t u64(std::string_view field) { return get(field, 8); }
  int32_t i32(std::string_view field) { return static_cast<int32_t>(u32(field)); }
  int64_t i64(std::string_view field) { return static_cast<int64_t>(u64(field)); }
  /// Only 0 and 1 are booleans.
  bool boolean(std::string_view field);
  /// A length-prefixed string of at most `limit` bytes.
  std::string string(std::string_view field, size_t limit);
  /// A length-prefixed blob of at most `limit` bytes.
  std::vector<std::byte> bytes(std::string_view field, size_t limit);
  /// Exactly `out.size()` bytes, without a length.
  void raw(std::string_view field, std::span<std::byte> out);
  /// A u32 count of at most `max_count`, then `read_item()` for each element.
  template <class T, class ReadItem>
  std::vector<T> list(std::string_view field, size_t max_count, ReadItem&& read_item) {
    const size_t count = list_count(field, max_count);
    std::vector<T> items;
    // Every element takes at least a byte: a count no input could back reserves no more.
    items.reserve(std::min(count, remaining()));
    for (size_t i = 0; i < count; ++i) items.push_back(read_item());
    return items;
  }

  /// Throws unless every byte has been consumed.
  void expect_end() const;
  size_t offset() const noexcept { return offset_; }
  size_t remaining() const noexcept { return bytes_.size() - offset_; }

  /// Throws Error(protocol) "wire: <message>.<group>.<field> at byte <at>: <problem>".
  [[noreturn]] void fail_at(size_t at, std::string_view field, std::string_view problem) const;
  /// fail_at() the current offset.
  [[noreturn]] void fail(std::string_view field, std::string_view problem) const;

 private:
  uint64_t get(std::string_view field, size_t width);
  size_t list_count(std::string_view field, size_t max_count);
  size_t blob_length(std::string_view field, size_t limit);
  std::span<const std::byte> take(std::string_view field, size_t count);

  std::span<const std::byte> bytes_;
  size_t offset_ = 0;
  std::string_view message_ = "message";
  std::string_view group_;
};

}  // namespace ferry::wire
