#pragma once
// What the ranks of a hybrid world say to each other at start-up (bootstrap.cpp): each
// function rank's hello to the batch rank that owns it (the owner's secret, then the
// function rank's UCX worker address), the [rank, address] entries every batch rank
// contributes to the allgather of addresses, and the whole address table a batch rank
// then sends its function ranks.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace ferry::mpi {

using Bytes = std::vector<std::byte>;

inline constexpr size_t bootstrap_secret_size = 32;

struct BootstrapHello {
  Bytes secret;  ///< bootstrap_secret_size bytes
  Bytes address;
  bool operator==(const BootstrapHello&) const = default;
};
/// The secret, then the address, without lengths.
Bytes encode(const BootstrapHello& hello);
/// Throws Error(protocol) on fewer than bootstrap_secret_size bytes; the rest is the address.
BootstrapHello decode_bootstrap_hello(std::span<const std::byte> bytes);

struct AddressEntry {
  uint32_t rank = 0;
  Bytes address;
  bool operator==(const AddressEntry&) const = default;
};
/// Entries back to back, without a count, so that contributions concatenate.
Bytes encode(const std::vector<AddressEntry>& entries);
/// Throws Error(protocol) on a malformed or truncated entry.
std::vector<AddressEntry> decode_address_entries(std::span<const std::byte> bytes);
/// The address of every rank below `ranks`, indexed by rank (empty for a rank no entry
/// names; the last entry wins for a rank named twice). Throws Error(protocol) for an entry
/// whose rank is `ranks` or more.
std::vector<Bytes> addresses_by_rank(const std::vector<AddressEntry>& entries, size_t ranks);

/// A u32 count, then each address with its length, in rank order.
Bytes encode_address_table(const std::vector<Bytes>& table);
/// Throws Error(protocol) on a malformed table or trailing bytes.
std::vector<Bytes> decode_address_table(std::span<const std::byte> bytes);

}  // namespace ferry::mpi
