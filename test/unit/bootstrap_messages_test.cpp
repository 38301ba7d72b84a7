#include "mpi_shim/bootstrap_messages.hpp"

#include <catch2/catch.hpp>

#include "mpi_shim/tags.hpp"
#include "runtime/common/error.hpp"

using ferry::Errc;
using ferry::Error;
using ferry::mpi::AddressEntry;
using ferry::mpi::addresses_by_rank;
using ferry::mpi::bootstrap_secret_size;
using ferry::mpi::BootstrapHello;
using ferry::mpi::Bytes;
using ferry::mpi::decode_address_entries;
using ferry::mpi::decode_address_table;
using ferry::mpi::decode_bootstrap_hello;
using ferry::mpi::encode;
using ferry::mpi::encode_address_table;

namespace {

Bytes pattern(size_t size, unsigned seed) {
  Bytes bytes(size);
  for (size_t i = 0; i < size; ++i) bytes[i] = std::byte((i * 37 + seed) & 0xFF);
  return bytes;
}

Bytes little_endian_u32(uint32_t value) {
  return {std::byte(value & 0xFF), std::byte((value >> 8) & 0xFF), std::byte((value >> 16) & 0xFF),
          std::byte(value >> 24)};
}

Bytes concat(std::initializer_list<Bytes> parts) {
  Bytes all;
  for (const Bytes& part : parts) all.insert(all.end(), part.begin(), part.end());
  return all;
}

template <class Decode>
void require_protocol_error(const Bytes& bytes, Decode decode) {
  INFO(bytes.size() << " bytes");
  try {
    decode(bytes);
    FAIL("decoded");
  } catch (const Error& error) {
    CHECK(error.code() == Errc::protocol);
  }
}

}  // namespace

TEST_CASE("A bootstrap hello is the secret, then the address", "[mpi][bootstrap]") {
  const BootstrapHello hello{pattern(bootstrap_secret_size, 1), pattern(215, 2)};
  const Bytes bytes = encode(hello);
  CHECK(bytes == concat({hello.secret, hello.address}));
  CHECK(decode_bootstrap_hello(bytes) == hello);

  const Bytes secret_only = pattern(bootstrap_secret_size, 3);
  CHECK(decode_bootstrap_hello(secret_only) == BootstrapHello{secret_only, {}});
}

TEST_CASE("A bootstrap hello shorter than the secret is refused", "[mpi][bootstrap]") {
  for (const size_t size : {size_t{0}, size_t{1}, bootstrap_secret_size - 1}) {
    require_protocol_error(pattern(size, 4), decode_bootstrap_hello);
  }
}

TEST_CASE("Address entries round-trip, and contributions concatenate", "[mpi][bootstrap]") {
  const std::vector<AddressEntry> batch_rank{{0, pattern(180, 5)}, {2, pattern(170, 6)}};
  const std::vector<AddressEntry> other_batch_rank{{1, pattern(190, 7)}, {3, {}}};
  const Bytes first = encode(batch_rank);
  CHECK(first == concat({little_endian_u32(0), little_endian_u32(180), pattern(180, 5), little_endian_u32(2),
                         little_endian_u32(170), pattern(170, 6)}));
  CHECK(decode_address_entries(first) == batch_rank);
  CHECK(decode_address_entries(Bytes{}).empty());

  std::vector<AddressEntry> all = batch_rank;
  all.insert(all.end(), other_batch_rank.begin(), other_batch_rank.end());
  CHECK(decode_address_entries(concat({first, encode(other_batch_rank)})) == all);
}

TEST_CASE("Malformed address entries are refused", "[mpi][bootstrap]") {
  const Bytes entry = encode(std::vector<AddressEntry>{{1, pattern(40, 8)}});
  SECTION("every truncation") {
    for (size_t size = 1; size < entry.size(); ++size) {
      require_protocol_error(Bytes(entry.begin(), entry.begin() + long(size)), decode_address_entries);
    }
  }
  SECTION("a length past the end") {
    require_protocol_error(concat({little_endian_u32(1), little_endian_u32(0xFFFFFFFF), pattern(8, 9)}),
                           decode_address_entries);
  }
  SECTION("an address longer than any UCX worker address") {
    require_protocol_error(concat({little_endian_u32(1), little_endian_u32(1 << 17), pattern(1 << 17, 10)}),
                           decode_address_entries);
  }
}

TEST_CASE("Address entries place each address at its rank", "[mpi][bootstrap]") {
  const std::vector<AddressEntry> entries{{2, pattern(10, 11)}, {0, pattern(12, 12)}, {3, pattern(14, 13)}};
  const std::vector<Bytes> table = addresses_by_rank(entries, 4);
  CHECK(table == std::vector<Bytes>{pattern(12, 12), {}, pattern(10, 11), pattern(14, 13)});

  const std::vector<Bytes> later_wins = addresses_by_rank({{1, pattern(3, 14)}, {1, pattern(5, 15)}}, 2);
  CHECK(later_wins == std::vector<Bytes>{{}, pattern(5, 15)});

  for (const uint32_t rank : {uint32_t{4}, uint32_t(ferry::mpi::max_ranks), uint32_t{0xFFFFFFFF}}) {
    INFO(rank);
    try {
      addresses_by_rank({{0, pattern(8, 16)}, {rank, pattern(8, 17)}}, 4);
      FAIL("placed");
    } catch (const Error& error) {
      CHECK(error.code() == Errc::protocol);
    }
  }
}

TEST_CASE("The address table round-trips in rank order", "[mpi][bootstrap]") {
  const std::vector<Bytes> table{pattern(180, 18), pattern(1, 19), {}, pattern(1 << 16, 20)};
  const Bytes bytes = encode_address_table(table);
  CHECK(Bytes(bytes.begin(), bytes.begin() + 4) == little_endian_u32(4));
  CHECK(decode_address_table(bytes) == table);
  CHECK(decode_address_table(encode_address_table({})).empty());
}

TEST_CASE("Malformed address tables are refused", "[mpi][bootstrap]") {
  const Bytes table = encode_address_table({pattern(20, 21), pattern(30, 22)});
  SECTION("every truncation") {
    for (size_t size = 0; size < table.size(); ++size) {
      require_protocol_error(Bytes(table.begin(), table.begin() + long(size)), decode_address_table);
    }
  }
  SECTION("trailing bytes") { require_protocol_error(concat({table, pattern(1, 23)}), decode_address_table); }
  SECTION("a count larger than what follows") {
    require_protocol_error(concat({little_endian_u32(3), Bytes(table.begin() + 4, table.end())}),
                           decode_address_table);
  }
  SECTION("a count beyond the largest world") {
    require_protocol_error(little_endian_u32(uint32_t(ferry::mpi::max_ranks) + 1), decode_address_table);
  }
  SECTION("a length past the end") {
    require_protocol_error(concat({little_endian_u32(1), little_endian_u32(0x7FFFFFFF)}), decode_address_table);
  }
}
