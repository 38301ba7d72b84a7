#pragma once
// Fixed headers of the invocation path (active messages am_invoke and am_result).
// They are plain structs copied as bytes; the receiver checks the header length.

#include <cstdint>
#include <cstring>
#include <optional>
#include <span>

namespace ferry::wire {

/// Header of an invocation; the input travels as the message data.
struct InvokeHeader {
  uint64_t invocation_id;
  uint32_t function_index;
  uint32_t flags;
  uint64_t output_capacity;
};

/// Header of a result; the output (result bytes) travels as the message data.
struct ResultHeader {
  uint64_t invocation_id;
  int64_t result;  ///< bytes written (>= 0) or a negative error code
};

/// Result codes the worker itself produces (functions return their own negatives).
inline constexpr int64_t result_bad_function = -1'000'001;
inline constexpr int64_t result_output_overflow = -1'000'002;
inline constexpr int64_t result_bad_request = -1'000'003;
/// The executor could not allocate room for the input or the output capacity.
inline constexpr int64_t result_no_memory = -1'000'005;
/// Produced on the client side when the executor died with the invocation in flight.
inline constexpr int64_t result_executor_dead = -1'000'004;

/// Reads a fixed header; empty when the length does not match exactly.
template <class Header>
std::optional<Header> read_header(std::span<const std::byte> bytes) noexcept {
  if (bytes.size() != sizeof(Header)) return std::nullopt;
  Header header;
  std::memcpy(&header, bytes.data(), sizeof(Header));
  return header;
}

template <class Header>
std::span<const std::byte> header_bytes(const Header& header) noexcept {
  return {reinterpret_cast<const std::byte*>(&header), sizeof(Header)};
}

}  // namespace ferry::wire
