#include "mpi_shim/dynamic/group_description.hpp"

#include "mpi_shim/tags.hpp"
#include "runtime/common/error.hpp"
#include "runtime/wire/codec.hpp"

namespace ferry::mpi {

namespace {

constexpr size_t max_members = size_t(max_ranks);

}  // namespace

Bytes encode(const GroupDescription& description) {
  wire::Writer out;
  out.u32(description.context_id);
  out.boolean(description.all_batch);
  out.bytes(description.world);
  out.u32(description.leader);
  out.list(description.addresses, [&](const Bytes& address) { out.bytes(address); });
  return out.take();
}

GroupDescription decode_description(const Bytes& bytes) {
  wire::Reader in(bytes);
  in.set_context("group description");
  GroupDescription description;
  description.context_id = in.u32("context_id");
  if (description.context_id == 0 || description.context_id >= communicator_context_limit) {
    throw Error(Errc::protocol, "group description: context id out of range");
  }
  description.all_batch = in.boolean("all_batch");
  description.world = in.bytes("world", max_worker_address);
  description.leader = in.u32("leader");
  description.addresses =
      in.list<Bytes>("addresses", max_members, [&] { return in.bytes("address", max_worker_address); });
  if (description.addresses.empty() || description.leader >= description.addresses.size()) {
    throw Error(Errc::protocol, "group description: no members, or the leader is not one");
  }
  in.expect_end();
  return description;
}

}  // namespace ferry::mpi
