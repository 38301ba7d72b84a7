#include "mpi_shim/dynamic/spawn_protocol.hpp"

#include "mpi_shim/tags.hpp"
#include "runtime/common/error.hpp"
#include "runtime/wire/codec.hpp"

namespace ferry::mpi {

namespace {

constexpr size_t max_children = size_t(max_ranks);

}  // namespace

Bytes encode(const SpawnHello& hello) {
  wire::Writer out;
  out.raw(hello.secret);
  out.u32(hello.rank);
  out.u32(hello.context_id);
  out.bytes(hello.address);
  return out.take();
}

SpawnHello decode_hello(const Bytes& bytes) {
  wire::Reader in(bytes);
  in.set_context("spawn hello");
  SpawnHello hello;
  hello.secret.resize(spawn_secret_size);
  in.raw("secret", hello.secret);
  hello.rank = in.u32("rank");
  hello.context_id = in.u32("context_id");
  hello.address = in.bytes("address", max_worker_address);
  in.expect_end();
  return hello;
}

Bytes encode(const SpawnTable& table) {
  wire::Writer out;
  out.list(table.children, [&](const Bytes& address) { out.bytes(address); });
  out.bytes(encode(table.parents));
  return out.take();
}

SpawnTable decode_table(const Bytes& bytes) {
  wire::Reader in(bytes);
  in.set_context("spawn table");
  SpawnTable table;
  table.children = in.list<Bytes>("children", max_children, [&] { return in.bytes("address", max_worker_address); });
  table.parents = decode_description(in.bytes("parents", max_children * max_worker_address));
  in.expect_end();
  return table;
}

Bytes encode(const SpawnOutcome& outcome) {
  wire::Writer out;
  out.list(outcome.errcodes, [&](int32_t code) { out.i32(code); });
  out.string(outcome.failure);
  if (outcome.failure.empty()) out.bytes(encode(outcome.children));
  return out.take();
}

SpawnOutcome decode_outcome(const Bytes& bytes) {
  wire::Reader in(bytes);
  in.set_context("spawn outcome");
  SpawnOutcome outcome;
  outcome.errcodes = in.list<int32_t>("errcodes", max_children, [&] { return in.i32("errcode"); });
  outcome.failure = in.string("failure", 1 << 16);
  if (outcome.failure.empty()) outcome.children = decode_description(in.bytes("children", max_children * max_worker_address));
  in.expect_end();
  return outcome;
}

}  // namespace ferry::mpi
