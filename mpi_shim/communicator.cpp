#include "mpi_shim/communicator.hpp"

#include <algorithm>
#include <cstring>
#include <unordered_map>

#include "mpi_shim/collectives/algorithms.hpp"
#include "mpi_shim/context_ids.hpp"
#include "mpi_shim/dynamic/process_failures.hpp"
#include "mpi_shim/surface/fortran.hpp"
#include "mpi_shim/threads.hpp"
#include "mpi_shim/tags.hpp"
#include "mpi_shim/transfer.hpp"
#include "mpi_shim/world.hpp"
#include "runtime/common/error.hpp"

namespace ferry::mpi {

Comm detail::world_comm;

namespace {

std::unordered_map<const void*, std::unique_ptr<Comm>> comms;
std::unordered_map<const void*, std::unique_ptr<Comm>> freed_in_use;  // freed, with operations in flight
std::unordered_map<const void*, std::unique_ptr<Group>> groups;
ContextIds context_ids(1, communicator_context_limit);  // 0 is the hybrid world's

/// Agreements in flight in this process, by (parent's context id, its sequence number).
using AgreementKey = std::pair<uint32_t, uint32_t>;
std::vector<AgreementKey> agreements_in_flight;

/// Registers an agreement for as long as it runs.
class InFlight {
 public:
  explicit InFlight(AgreementKey key) : key_(key) { agreements_in_flight.push_back(key); }
  InFlight(const InFlight&) = delete;
  InFlight& operator=(const InFlight&) = delete;
  ~InFlight() {
    const auto found = std::find(agreements_in_flight.begin(), agreements_in_flight.end(), key_);
    if (found != agreements_in_flight.end()) agreements_in_flight.erase(found);
  }
  /// Whether an agreement that goes first is still running here.
  bool waits() const noexcept {
    return std::any_of(agreements_in_flight.begin(), agreements_in_flight.end(),
                       [this](const AgreementKey& other) { return other < key_; });
  }

 private:
  AgreementKey key_;
};

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

ContextIds::Offer offer_of(const Contribution& contribution) noexcept {
  return {contribution.offer_base, 0, contribution.offer_mask};
}

/// The offers of the members of `color`.
std::vector<ContextIds::Offer> offers_of_color(const std::vector<Contribution>& all, int color) {
  std::vector<ContextIds::Offer> offers;
  for (const Contribution& contribution : all) {
    if (contribution.color == color) offers.push_back(offer_of(contribution));
  }
  return offers;
}

/// Whether every color has an id in common; otherwise the floor of the next round.
std::optional<uint32_t> next_round_floor(const std::vector<Contribution>& all) {
  std::optional<uint32_t> floor;
  for (const Contribution& contribution : all) {
    if (contribution.color == MPI_UNDEFINED) continue;
    const std::vector<ContextIds::Offer> offers = offers_of_color(all, contribution.color);
    if (ContextIds::common(offers)) continue;
    const uint32_t next = ContextIds::next_floor(offers);
    floor = floor ? std::min(*floor, next) : next;
  }
  return floor;
}

}  // namespace

int Group::rank_of(int world_rank) const noexcept {
  const auto found = std::find(members.begin(), members.end(), world_rank);
  return found == members.end() ? MPI_UNDEFINED : int(found - members.begin());
}

Comm* detail::derived_hybrid(MPI_Comm handle) noexcept {
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
  if (comm == &detail::world_comm) return MPI_COMM_WORLD;
  return reinterpret_cast<MPI_Comm>(comm);
}

MPI_Group handle_of(Group* group) noexcept { return reinterpret_cast<MPI_Group>(group); }

MPI_Group make_group(std::vector<int> world_members) {
  if (world_members.empty()) {
    // Open MPI counts the references to its empty group: the caller frees this one.
    MPI_Group empty = MPI_GROUP_EMPTY;
    PMPI_Group_incl(MPI_GROUP_EMPTY, 0, nullptr, &empty);
    return empty;
  }
  auto group = std::make_unique<Group>();
  group->members = std::move(world_members);
  Group* raw = group.get();
  groups.emplace(raw, std::move(group));
  return handle_of(raw);
}

void forget_group(Group* group) noexcept {
  fortran::forget(group);
  groups.erase(group);
}

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
    for (int& rank : translated) rank = rank == 0 ? world().self : MPI_UNDEFINED;
  }
  return translated;
}

Comm& world_comm() noexcept { return detail::world_comm; }

void create_world_comm(int size, int rank) {
  detail::world_comm.context_id = 0;
  detail::world_comm.group.members.resize(size_t(size));
  for (int i = 0; i < size; ++i) detail::world_comm.group.members[size_t(i)] = i;
  detail::world_comm.rank = rank;
  world().self = rank;
  detail::world_comm.name = "MPI_COMM_WORLD";
}

Comm* register_comm(std::unique_ptr<Comm> comm) {
  Comm* raw = comm.get();
  comms.emplace(raw, std::move(comm));
  return raw;
}

namespace {

void release_context_ids(const Comm& comm) noexcept {
  context_ids.release(comm.context_id);
  if (comm.local) context_ids.release(comm.local->context_id);
}

}  // namespace

void retain(Comm* comm) noexcept { ++comm->references; }

void release(Comm* comm) noexcept {
  if (--comm->references > 0 || !comm->freed) return;
  release_context_ids(*comm);
  freed_in_use.erase(comm);
}

void forget_comm(Comm* comm) noexcept {
  const auto found = comms.find(comm);
  if (found == comms.end()) return;
  comm->freed = true;
  if (comm->references > 0) {
    freed_in_use.emplace(comm, std::move(found->second));
  } else {
    release_context_ids(*comm);
  }
  comms.erase(found);
}

Task agree_task(Comm& parent, int color, int key, Agreement& agreement) {
  const int size = parent.size();
  const std::vector<int> counts(size_t(size), int(sizeof(Contribution)));
  std::vector<int> displs(static_cast<size_t>(size));
  for (int rank = 0; rank < size; ++rank) displs[size_t(rank)] = rank * int(sizeof(Contribution));
  agreement.all.resize(size_t(size));
  const InFlight in_flight({parent.context_id, parent.collective_sequence});
  uint32_t floor = 1;
  for (;;) {
    const bool waits = in_flight.waits();
    const ContextIds::Offer offer = waits ? ContextIds::Offer{} : context_ids.offer(floor);
    const Contribution mine{color, key, offer.base, waits ? 1U : 0U, offer.free_mask};
    Task gather = allgatherv_task(Channel::open(parent), &mine, int(sizeof mine), MPI_BYTE, agreement.all.data(), counts,
                                  displs, MPI_BYTE);
    const int code = co_await gather;
    if (code == MPI_SUCCESS && std::any_of(agreement.all.begin(), agreement.all.end(),
                                           [](const Contribution& c) { return c.busy != 0; })) {
      context_ids.settle(offer, std::nullopt);
      continue;
    }
    const bool exhausted = std::any_of(agreement.all.begin(), agreement.all.end(), [](const Contribution& c) {
      return c.color != MPI_UNDEFINED && c.offer_mask == 0;
    });
    const std::optional<uint32_t> next_floor =
        code == MPI_SUCCESS && !exhausted ? next_round_floor(agreement.all) : std::nullopt;
    std::optional<uint32_t> chosen;
    if (code == MPI_SUCCESS && !exhausted && !next_floor && color != MPI_UNDEFINED) {
      chosen = ContextIds::common(offers_of_color(agreement.all, color));
    }
    context_ids.settle(offer, chosen);
    if (code != MPI_SUCCESS) co_return code;
    if (exhausted) throw Error(Errc::no_resources, "no context id is free for a new communicator");
    if (!next_floor) {
      agreement.context_id = chosen;
      co_return MPI_SUCCESS;
    }
    floor = *next_floor;
  }
}

uint32_t agree_context_id(const std::function<std::vector<ContextIds::Offer>(const ContextIds::Offer&)>& gather) {
  uint32_t floor = 1;
  for (;;) {
    const ContextIds::Offer offer = context_ids.offer(floor);
    std::vector<ContextIds::Offer> offers;
    try {
      offers = gather(offer);
    } catch (...) {
      context_ids.settle(offer, std::nullopt);
      throw;
    }
    const bool exhausted =
        std::any_of(offers.begin(), offers.end(), [](const ContextIds::Offer& o) { return o.free_mask == 0; });
    const std::optional<uint32_t> chosen = exhausted ? std::nullopt : ContextIds::common(offers);
    context_ids.settle(offer, chosen);
    if (exhausted) throw Error(Errc::no_resources, "no context id is free for a new communicator");
    if (chosen) return *chosen;
    floor = ContextIds::next_floor(offers);
  }
}

uint32_t take_first_free_context_id() {
  const ContextIds::Offer offer = context_ids.offer(1);
  if (offer.free_mask == 0) throw Error(Errc::no_resources, "no context id is free for a new communicator");
  const uint32_t chosen = offer.base + uint32_t(__builtin_ctzll(offer.free_mask));
  context_ids.settle(offer, chosen);
  return chosen;
}

void release_context_id(uint32_t id) noexcept { context_ids.release(id); }

Agreement agree(Comm& parent, int color, int key) {
  Agreement agreement;
  Task task = agree_task(parent, color, key, agreement);
  if (const int code = run(task, parent); code != MPI_SUCCESS) {
    throw Error(Errc::transport, "agreeing on a context id failed (MPI error " + std::to_string(code) + ")" +
                              (task.detail().empty() ? "" : ": " + task.detail()));
  }
  return agreement;
}

std::vector<int> members_of_color(const Comm& parent, const Agreement& agreement) {
  if (!agreement.context_id) return {};
  const int color = agreement.all[size_t(parent.rank)].color;
  std::vector<int> ranks;
  for (int r = 0; r < parent.size(); ++r) {
    if (agreement.all[size_t(r)].color == color) ranks.push_back(r);
  }
  std::stable_sort(ranks.begin(), ranks.end(), [&](int a, int b) {
    return agreement.all[size_t(a)].key < agreement.all[size_t(b)].key;
  });
  std::vector<int> members;
  members.reserve(ranks.size());
  for (int r : ranks) members.push_back(parent.world_rank(r));
  return members;
}

MPI_Comm make_comm(const std::vector<int>& world_members, const Agreement& agreement, const Comm* copy_from) {
  const int me = world().self;
  const auto position = std::find(world_members.begin(), world_members.end(), me);
  if (position == world_members.end() || !agreement.context_id) {
    if (agreement.context_id) context_ids.release(*agreement.context_id);
    return MPI_COMM_NULL;
  }
  const uint32_t context_id = *agreement.context_id;
  const bool all_batch = std::all_of(world_members.begin(), world_members.end(),
                                     [](int rank) { return world().is_batch_rank(rank); });
  // When threads share the shim, a communicator of batch ranks stays the shim's: Open
  // MPI's creation of it would block in one thread while the same ranks' other threads
  // wait in the shim for this one, each library waiting for the other.
  if (all_batch && copy_from == nullptr && !shim_shared_between_threads()) {
    // Open MPI gives the native communicator context ids of its own.
    context_ids.release(context_id);
    return create_native(world_members, context_id);
  }
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

MPI_Comm create_comm(Comm& parent, const std::vector<int>& world_members, const Comm* copy_from) {
  const bool member = std::find(world_members.begin(), world_members.end(), world().self) != world_members.end();
  return make_comm(world_members, agree(parent, member ? 0 : MPI_UNDEFINED, 0), copy_from);
}

int allgather_bytes(Comm& comm, const void* mine, size_t size, void* all) {
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
    const auto all_complete_now = [&] { return all_complete(transfers.data(), transfers.size()); };
    if (const int code = wait_unless_failed(comm, all_complete_now); code != MPI_SUCCESS) return code;
    transfers.clear();
    for (int peer = 1; peer < n; ++peer) {
      transfers.push_back(Transfer::send(comm.world_rank(peer), internal_tag(sequence, 0, comm.context_id), out,
                                         size * size_t(n)));
    }
    return wait_unless_failed(comm, all_complete_now);
  }
  Transfer transfers[2] = {
      Transfer::send(comm.world_rank(0), internal_tag(sequence, comm.rank, comm.context_id), mine, size),
      Transfer::receive(internal_tag(sequence, 0, comm.context_id), full_mask, out, size * size_t(n))};
  return wait_unless_failed(comm, [&] { return all_complete(transfers, 2); });
}

}  // namespace ferry::mpi
