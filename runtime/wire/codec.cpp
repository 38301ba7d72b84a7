#include "runtime/wire/codec.hpp"

#include <algorithm>
#include <limits>

#include "runtime/common/error.hpp"

namespace ferry::wire {

void Writer::string(std::string_view value) { bytes(std::as_bytes(std::span(value))); }

void Writer::bytes(std::span<const std::byte> value) {
  length(value.size());
  raw(value);
}

void Writer::raw(std::span<const std::byte> value) {
  buffer_.insert(buffer_.end(), value.begin(), value.end());
}

void Writer::patch_u32(size_t offset, uint32_t value) {
  if (offset > buffer_.size() || buffer_.size() - offset < sizeof value) {
    throw Error(Errc::invalid_argument, "wire: patch_u32 at " + std::to_string(offset) +
                                            " is past the end of a " +
                                            std::to_string(buffer_.size()) + "-byte buffer");
  }
  for (size_t i = 0; i < sizeof value; ++i) {
    buffer_[offset + i] = std::byte{static_cast<uint8_t>(value >> (8 * i))};
  }
}

void Writer::put(uint64_t value, size_t width) {
  for (size_t i = 0; i < width; ++i) {
    buffer_.push_back(std::byte{static_cast<uint8_t>(value >> (8 * i))});
  }
}

void Writer::length(size_t value) {
  if (value > std::numeric_limits<uint32_t>::max()) {
    throw Error(Errc::invalid_argument,
                "wire: " + std::to_string(value) + " does not fit a u32 length");
  }
  u32(static_cast<uint32_t>(value));
}

bool Reader::boolean(std::string_view field) {
  const size_t at = offset_;
  const uint8_t value = u8(field);
  if (value > 1) fail_at(at, field, "boolean is " + std::to_string(value) + ", not 0 or 1");
  return value == 1;
}

std::string Reader::string(std::string_view field, size_t limit) {
  const auto bytes = take(field, blob_length(field, limit));
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

std::vector<std::byte> Reader::bytes(std::string_view field, size_t limit) {
  const auto bytes = take(field, blob_length(field, limit));
  return {bytes.begin(), bytes.end()};
}

void Reader::raw(std::string_view field, std::span<std::byte> out) {
  std::ranges::copy(take(field, out.size()), out.begin());
}

void Reader::expect_end() const {
  if (remaining() != 0) fail("end", std::to_string(remaining()) + " trailing bytes");
}

void Reader::fail(std::string_view field, std::string_view problem) const {
  fail_at(offset_, field, problem);
}

void Reader::fail_at(size_t at, std::string_view field, std::string_view problem) const {
  std::string where = "wire: ";
  where.append(message_).append(".");
  if (!group_.empty()) where.append(group_).append(".");
  where.append(field).append(" at byte ").append(std::to_string(at)).append(": ");
  throw Error(Errc::protocol, where.append(problem));
}

uint64_t Reader::get(std::string_view field, size_t width) {
  const auto bytes = take(field, width);
  uint64_t value = 0;
  for (size_t i = 0; i < width; ++i) {
    value |= uint64_t{std::to_integer<uint8_t>(bytes[i])} << (8 * i);
  }
  return value;
}

size_t Reader::list_count(std::string_view field, size_t max_count) {
  const size_t at = offset_;
  const uint32_t count = u32(field);
  if (count > max_count) {
    fail_at(at, field,
            "list of " + std::to_string(count) + " elements exceeds the limit of " +
                std::to_string(max_count));
  }
  return count;
}

size_t Reader::blob_length(std::string_view field, size_t limit) {
  const size_t at = offset_;
  const uint32_t length = u32(field);
  if (length > limit) {
    fail_at(at, field,
            "length " + std::to_string(length) + " exceeds the limit of " + std::to_string(limit) +
                " bytes");
  }
  if (length > remaining()) {
    fail_at(at, field,
            "length " + std::to_string(length) + " but only " + std::to_string(remaining()) +
                " bytes left");
  }
  return length;
}

std::span<const std::byte> Reader::take(std::string_view field, size_t count) {
  if (count > remaining()) {
    fail(field, "truncated: needs " + std::to_string(count) + " bytes, " +
                    std::to_string(remaining()) + " left");
  }
  const auto bytes = bytes_.subspan(offset_, count);
  offset_ += count;
  return bytes;
}

}  // namespace ferry::wire
