#include "mpi_shim/dynamic/intercomm.hpp"

#include <algorithm>
#include <cstring>

#include "mpi_shim/tags.hpp"
#include "mpi_shim/transfer.hpp"
#include "mpi_shim/transport.hpp"
#include "runtime/common/error.hpp"
#include "runtime/wire/codec.hpp"

namespace ferry::mpi {

namespace {

constexpr size_t max_error = 1 << 16;
constexpr size_t max_description = size_t{1} << 28;

std::vector<ContextIds::Offer> offers_from(const Bytes& bytes) {
  std::vector<ContextIds::Offer> offers(bytes.size() / sizeof(ContextIds::Offer));
  std::memcpy(offers.data(), bytes.data(), offers.size() * sizeof(ContextIds::Offer));
  return offers;
}

Bytes bytes_of(const std::vector<ContextIds::Offer>& offers) {
  Bytes bytes(offers.size() * sizeof(ContextIds::Offer));
  std::memcpy(bytes.data(), offers.data(), bytes.size());
  return bytes;
}

/// What the leader tells its group after the swap: the remote group's description, or the
/// error the swap threw, so that every member fails alike.
Bytes swap_outcome(const LeaderSwap& swap, const Bytes& mine) {
  Bytes remote;
  wire::Writer out;
  try {
    remote = swap(mine);
  } catch (const std::exception& error) {
    const auto* ferry_error = dynamic_cast<const Error*>(&error);
    out.boolean(false);
    out.i32(int32_t(ferry_error != nullptr ? ferry_error->code() : Errc::transport));
    out.string(std::string(error.what()).substr(0, max_error));
    return out.take();
  }
  out.boolean(true);
  out.bytes(remote);
  return out.take();
}

/// The description in the leader's outcome; throws the leader's error.
Bytes remote_description(const Bytes& outcome) {
  wire::Reader in(outcome);
  in.set_context("swap outcome");
  if (!in.boolean("swapped")) {
    const auto code = Errc(in.i32("error"));
    throw Error(code, in.string("what", max_error));
  }
  Bytes description = in.bytes("description", max_description);
  in.expect_end();
  return description;
}

}  // namespace

uint32_t agree_within(LocalGroup& local) {
  return agree_context_id([&](const ContextIds::Offer& mine) {
    std::vector<ContextIds::Offer> all(size_t(local.size()));
    local.allgather(&mine, sizeof mine, all.data());
    return all;
  });
}

MPI_Comm build_intercomm(LocalGroup& local, int leader, const LeaderSwap& swap,
                         const std::function<MPI_Comm(int)>& native) {
  const uint32_t context_id = agree_within(local);
  uint32_t local_context_id = 0;
  try {
    local_context_id = agree_within(local);
    GroupDescription mine;
    mine.context_id = context_id;
    mine.all_batch = world().role == Role::batch &&
                     std::all_of(local.processes().begin(), local.processes().end(),
                                 [](int process) { return world().is_batch_rank(process); });
    if (mine.all_batch) mine.world = transport().address_of(0);
    mine.leader = uint32_t(leader);
    Bytes outcome;
    if (local.rank() == leader) {
      for (int process : local.processes()) mine.addresses.push_back(transport().address_of(process));
      outcome = swap_outcome(swap, encode(mine));
    }
    local.bcast(outcome, leader);
    const GroupDescription remote = decode_description(remote_description(outcome));
    if (native && mine.all_batch && remote.all_batch && mine.world == remote.world) {
      release_context_id(context_id);
      release_context_id(local_context_id);
      return native(transport().process_of(remote.addresses[remote.leader]));
    }
    std::vector<int> remote_members;
    for (const Bytes& address : remote.addresses) remote_members.push_back(transport().process_of(address));
    return register_intercomm(local.processes(), local.rank(), context_id, local_context_id, std::move(remote_members),
                              remote.context_id, local.errhandler());
  } catch (...) {
    release_context_id(context_id);
    if (local_context_id != 0) release_context_id(local_context_id);
    throw;
  }
}

MPI_Comm register_intercomm(std::vector<int> local_members, int rank, uint32_t context_id, uint32_t local_context_id,
                            std::vector<int> remote_members, uint32_t remote_context_id, HeldErrhandler errhandler) {
  auto comm = std::make_unique<Comm>();
  comm->context_id = context_id;
  comm->group.members = local_members;
  comm->rank = rank;
  comm->errhandler = errhandler;
  comm->remote = Group{std::move(remote_members)};
  comm->remote_context_id = remote_context_id;
  comm->local = std::make_shared<Comm>();
  comm->local->context_id = local_context_id;
  comm->local->group.members = std::move(local_members);
  comm->local->rank = rank;
  return handle_of(register_comm(std::move(comm)));
}

Bytes exchange_across(Comm& inter, const Bytes& data) {
  const uint32_t sequence = inter.next_sequence();
  Bytes remote;
  if (inter.rank == 0) {
    remote = swap_whole(inter.peer(0), internal_tag(sequence, 0, inter.send_context()),
                        internal_tag(sequence, 0, inter.context_id), data);
  }
  if (inter.local->size() > 1) {
    LocalGroup local(*inter.local);
    local.bcast(remote, 0);
  }
  return remote;
}

uint32_t agree_across(Comm& inter) {
  return agree_context_id([&](const ContextIds::Offer& mine) {
    std::vector<ContextIds::Offer> all(size_t(inter.size()));
    allgather_bytes(*inter.local, &mine, sizeof mine, all.data());
    std::vector<ContextIds::Offer> remote = offers_from(exchange_across(inter, bytes_of(all)));
    all.insert(all.end(), remote.begin(), remote.end());
    return all;
  });
}

}  // namespace ferry::mpi
