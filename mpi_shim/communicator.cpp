#include "mpi_shim/communicator.hpp"

#include <algorithm>
#include <cstring>
#include <unordered_map>

#include "mpi_shim/tags.hpp"
#include "mpi_shim/transfer.hpp"
#include "mpi_shim/world.hpp"

namespace ferry::mpi {

namespace {

Comm world_instance;
std::unordered_map<const void*, std::unique_ptr<Comm>> comms;
std::unordered_map<const void*, std::unique_ptr<Group>> groups;
uint32_t next_context_id = 1;  // 0 is the hybrid world's

/// Agrees on a context id no member of `parent` uses yet.
uint32_t agree_context_id(Comm& parent) {
  std::vector<uint32_t> all(size_t(parent.size()));
  allgather_bytes(parent, &next_context_id, sizeof next_context_id, all.data());
  const uint32_t agreed = *std::max_element(all.begin(), all.end());
  next_context_id = agreed + 1;
  return agreed;
}

/// A native communicator of the batch ranks in `members`, made by those ranks only.
MPI_Comm create_native(const std::vector<int>& members, uint32_t context_id) {
  MPI_Group native_world = MPI_GROUP_NULL, subset = MPI_GROUP_NULL;
  PMPI_Comm_group(MPI_COMM_WORLD, &native_world);
  PMPI_Group_incl(native_world, int(members.size()), members.data(), &subset);
  MPI_Comm created = MPI_COMM_NULL;
  PMPI_Comm_create_group(MPI_COMM_WORLD, subset, int(context_id % 32768), &created);
  PMPI_Group_free(&subset);
  PMPI_Group_free(&native_world);
  return created;
}

}  // namespace

int Group::rank_of(int world_rank) const noexcept {
  const auto found = std::find(members.begin(), members.end(), world_rank);
  return found == members.end() ? MPI_UNDEFINED : int(found - members.begin());
}

Comm* hybrid(MPI_Comm handle) noexcept {
  if (!world().hybrid() || inside_shim()) return nullptr;
  if (handle == MPI_COMM_WORLD) return &world_instance;
  if (comms.empty()) return nullptr;
  const auto found = comms.find(handle);
  return found == comms.end() ? nullptr : found->second.get();
}

Group* hybrid(MPI_Group handle) noexcept {
  if (!world().hybrid() || inside_shim() || groups.empty()) return nullptr;
  const auto found = groups.find(handle);
  return found == groups.end() ? nullptr : found->second.get();
}

MPI_Comm handle_of(Comm* comm) noexcept {
  if (comm == &world_instance) return MPI_COMM_WORLD;
  return reinterpret_cast<MPI_Comm>(comm);
}

MPI_Group handle_of(Group* group) noexcept { return reinterpret_cast<MPI_Group>(group); }

MPI_Group make_group(std::vector<int> world_members) {
  if (world_members.empty()) return MPI_GROUP_EMPTY;
  auto group = std::make_unique<Group>();
  group->members = std::move(world_members);
  Group* raw = group.get();
  groups.emplace(raw, std::move(group));
  return handle_of(raw);
}

void forget_group(Group* group) noexcept { groups.erase(group); }

std::vector<int> members_of(MPI_Group handle) {
  if (Group* group = hybrid(handle)) return group->members;
  int size = 0;
  if (handle == MPI_GROUP_NULL || handle == MPI_GROUP_EMPTY || PMPI_Group_size(handle, &size) != MPI_SUCCESS) return {};
  // A native group holds batch ranks (of the native world) or, on a function rank, itself.
  MPI_Group native_world = MPI_GROUP_NULL;
  PMPI_Comm_group(MPI_COMM_WORLD, &native_world);
  std::vector<int> ranks(static_cast<size_t>(size)), translated(static_cast<size_t>(size));
  for (int i = 0; i < size; ++i) ranks[size_t(i)] = i;
  PMPI_Group_translate_ranks(handle, size, ranks.data(), native_world, translated.data());
  PMPI_Group_free(&native_world);
  if (world().role == Role::function) {
    for (int& rank : translated) rank = rank == 0 ? world().rank : MPI_UNDEFINED;
  }
  return translated;
}

Comm& world_comm() noexcept { return world_instance; }

void create_world_comm(int size, int rank) {
  world_instance.context_id = 0;
  world_instance.group.members.resize(size_t(size));
  for (int i = 0; i < size; ++i) world_instance.group.members[size_t(i)] = i;
  world_instance.rank = rank;
  world_instance.name = "MPI_COMM_WORLD";
}

Comm* register_comm(std::unique_ptr<Comm> comm) {
  Comm* raw = comm.get();
  comms.emplace(raw, std::move(comm));
  return raw;
}

void forget_comm(Comm* comm) noexcept { comms.erase(comm); }

MPI_Comm create_comm(Comm& parent, const std::vector<int>& world_members, const Comm* copy_from) {
  const uint32_t context_id = agree_context_id(parent);
  const int me = world().rank;
  const auto position = std::find(world_members.begin(), world_members.end(), me);
  if (position == world_members.end()) return MPI_COMM_NULL;
  const bool all_batch = std::all_of(world_members.begin(), world_members.end(),
                                     [](int rank) { return world().is_batch_rank(rank); });
  if (all_batch && copy_from == nullptr) return create_native(world_members, context_id);
  auto comm = std::make_unique<Comm>();
  comm->context_id = context_id;
  comm->group.members = world_members;
  comm->rank = int(position - world_members.begin());
  if (copy_from != nullptr) {
    comm->errhandler = copy_from->errhandler;
    comm->topology = copy_from->topology;
  }
  return handle_of(register_comm(std::move(comm)));
}

void allgather_bytes(Comm& comm, const void* mine, size_t size, void* all) {
  const uint32_t sequence = comm.next_sequence();
  auto* out = static_cast<std::byte*>(all);
  const int n = comm.size();
  if (comm.rank == 0) {
    std::memcpy(out, mine, size);
    std::vector<Transfer> transfers;
    for (int peer = 1; peer < n; ++peer) {
      transfers.push_back(Transfer::receive(internal_tag(sequence, peer, comm.context_id), full_mask,
                                            out + size_t(peer) * size, size));
    }
    wait_all(transfers.data(), transfers.size());
    transfers.clear();
    for (int peer = 1; peer < n; ++peer) {
      transfers.push_back(Transfer::send(comm.world_rank(peer), internal_tag(sequence, 0, comm.context_id), out,
                                         size * size_t(n)));
    }
    wait_all(transfers.data(), transfers.size());
    return;
  }
  Transfer transfers[2] = {
      Transfer::send(comm.world_rank(0), internal_tag(sequence, comm.rank, comm.context_id), mine, size),
      Transfer::receive(internal_tag(sequence, 0, comm.context_id), full_mask, out, size * size_t(n))};
  wait_all(transfers, 2);
}

}  // namespace ferry::mpi
