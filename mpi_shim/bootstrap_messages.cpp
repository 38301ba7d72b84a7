#include "mpi_shim/bootstrap_messages.hpp"

#include <string>

#include "mpi_shim/tags.hpp"
#include "runtime/common/error.hpp"
#include "runtime/wire/codec.hpp"

namespace ferry::mpi {

Bytes encode(const BootstrapHello& hello) {
  wire::Writer out;
  out.raw(hello.secret);
  out.raw(hello.address);
  return out.take();
}

BootstrapHello decode_bootstrap_hello(std::span<const std::byte> bytes) {
  wire::Reader in(bytes);
  in.set_context("bootstrap hello");
  BootstrapHello hello;
  hello.secret.resize(bootstrap_secret_size);
  in.raw("secret", hello.secret);
  hello.address.resize(in.remaining());
  in.raw("address", hello.address);
  return hello;
}

Bytes encode(const std::vector<AddressEntry>& entries) {
  wire::Writer out;
  for (const AddressEntry& entry : entries) {
    out.u32(entry.rank);
    out.bytes(entry.address);
  }
  return out.take();
}

std::vector<AddressEntry> decode_address_entries(std::span<const std::byte> bytes) {
  wire::Reader in(bytes);
  in.set_context("address entries");
  std::vector<AddressEntry> entries;
  while (in.remaining() > 0) {
    AddressEntry entry;
    entry.rank = in.u32("rank");
    entry.address = in.bytes("address", max_worker_address);
    entries.push_back(std::move(entry));
  }
  return entries;
}

std::vector<Bytes> addresses_by_rank(const std::vector<AddressEntry>& entries, size_t ranks) {
  std::vector<Bytes> table(ranks);
  for (const AddressEntry& entry : entries) {
    if (entry.rank >= ranks) {
      throw Error(Errc::protocol, "bad rank " + std::to_string(entry.rank) + " in the address table of " +
                                      std::to_string(ranks) + " ranks");
    }
    table[entry.rank] = entry.address;
  }
  return table;
}

Bytes encode_address_table(const std::vector<Bytes>& table) {
  wire::Writer out;
  out.list(table, [&](const Bytes& address) { out.bytes(address); });
  return out.take();
}

std::vector<Bytes> decode_address_table(std::span<const std::byte> bytes) {
  wire::Reader in(bytes);
  in.set_context("address table");
  std::vector<Bytes> table =
      in.list<Bytes>("addresses", size_t(max_ranks), [&] { return in.bytes("address", max_worker_address); });
  in.expect_end();
  return table;
}

}  // namespace ferry::mpi
