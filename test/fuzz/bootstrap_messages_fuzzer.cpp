// The start-up messages of a hybrid world (mpi_shim/bootstrap_messages.hpp), each decoder
// on every input. Each either refuses it with Error(protocol) or decodes it canonically:
// what it decoded encodes to the very same bytes. A hello is refused exactly when it is
// shorter than the secret, and the table of addresses by rank holds every entry's address
// unless an entry's rank is past its end.

#include <algorithm>
#include <cstdlib>

#include "mpi_shim/bootstrap_messages.hpp"
#include "test/fuzz/fuzz_support.hpp"

namespace {

using namespace ferry::mpi;
using ferry::fuzz::Bytes;
using ferry::fuzz::decoded_or_refused;

constexpr size_t table_ranks = 8;

void check_hello(const Bytes& bytes) {
  const auto hello = decoded_or_refused(decode_bootstrap_hello, bytes);
  if (hello.has_value() != (bytes.size() >= bootstrap_secret_size)) std::abort();
  if (hello && encode(*hello) != bytes) std::abort();
}

void check_addresses_by_rank(const std::vector<AddressEntry>& entries) {
  std::vector<Bytes> table;
  try {
    table = addresses_by_rank(entries, table_ranks);
  } catch (const ferry::Error& error) {
    const bool past_end = std::ranges::any_of(entries, [](const AddressEntry& entry) { return entry.rank >= table_ranks; });
    if (error.code() != ferry::Errc::protocol || !past_end) std::abort();
    return;
  }
  std::vector<Bytes> expected(table_ranks);
  for (const AddressEntry& entry : entries) {
    if (entry.rank >= table_ranks) std::abort();
    expected[entry.rank] = entry.address;
  }
  if (table != expected) std::abort();
}

void check_entries(const Bytes& bytes) {
  const auto entries = decoded_or_refused(decode_address_entries, bytes);
  if (!entries) return;
  if (encode(*entries) != bytes) std::abort();
  check_addresses_by_rank(*entries);
}

void check_address_table(const Bytes& bytes) {
  const auto table = decoded_or_refused(decode_address_table, bytes);
  if (table && encode_address_table(*table) != bytes) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Bytes bytes = ferry::fuzz::bytes_of(data, size);
  check_hello(bytes);
  check_entries(bytes);
  check_address_table(bytes);
  return 0;
}
