// MPI_Intercomm_create and _merge, and the queries of intercommunicators.

#include <mpi.h>

#include <algorithm>
#include <cstring>

#include "mpi_shim/communicator.hpp"
#include "mpi_shim/dynamic/intercomm.hpp"
#include "mpi_shim/errors.hpp"
#include "mpi_shim/surface/implementations.hpp"
#include "mpi_shim/tags.hpp"
#include "mpi_shim/transfer.hpp"
#include "mpi_shim/transport.hpp"
#include "runtime/common/error.hpp"

using namespace ferry::mpi;
using ferry::Errc;
using ferry::Error;

namespace {

/// The internal sequence numbers of the leaders' exchange over the peer communicator,
/// apart from collectives' and MPI_Comm_create_group's.
constexpr uint32_t peer_exchange_sequences = 0x600000U;

/// The leaders' exchange over the peer communicator, tagged with the user's tag as MPI asks.
Bytes swap_over_peer(MPI_Comm peer_handle, int remote_leader, int tag, const Bytes& mine) {
  if (Comm* peer = hybrid(peer_handle)) {
    const uint32_t sequence = peer_exchange_sequences | (uint32_t(tag) & 0x1FFFFFU);
    return swap_whole(peer->peer(remote_leader), internal_tag(sequence, peer->rank, peer->send_context()),
                      internal_tag(sequence, remote_leader, peer->context_id), mine);
  }
  uint64_t my_length = mine.size(), remote_length = 0;
  PMPI_Sendrecv(&my_length, 1, MPI_UINT64_T, remote_leader, tag, &remote_length, 1, MPI_UINT64_T, remote_leader, tag,
                peer_handle, MPI_STATUS_IGNORE);
  Bytes remote(remote_length);
  PMPI_Sendrecv(mine.data(), int(mine.size()), MPI_BYTE, remote_leader, tag, remote.data(), int(remote_length),
                MPI_BYTE, remote_leader, tag, peer_handle, MPI_STATUS_IGNORE);
  return remote;
}

Comm* intercomm(MPI_Comm handle) {
  Comm* comm = hybrid(handle);
  return comm != nullptr && comm->inter() ? comm : nullptr;
}

}  // namespace

int ferry::mpi::impl::MPI_Intercomm_create(MPI_Comm local_comm, int local_leader, MPI_Comm peer_comm,
                                           int remote_leader, int tag, MPI_Comm* newintercomm) {
  if (!world().hybrid()) {
    return PMPI_Intercomm_create(local_comm, local_leader, peer_comm, remote_leader, tag, newintercomm);
  }
  Comm* local_hybrid = hybrid(local_comm);
  if (local_comm == MPI_COMM_NULL) return raise(nullptr, MPI_ERR_COMM, "MPI_Intercomm_create");
  if (local_hybrid != nullptr && local_hybrid->inter()) return raise(local_hybrid, MPI_ERR_COMM, "MPI_Intercomm_create");
  if (tag < 0 || tag > max_user_tag) return raise(local_hybrid, MPI_ERR_TAG, "MPI_Intercomm_create");
  try {
    LocalGroup local(local_comm);
    if (local_leader < 0 || local_leader >= local.size()) {
      return raise(local_hybrid, MPI_ERR_RANK, "MPI_Intercomm_create");
    }
    if (local.rank() == local_leader) {
      Comm* peer = hybrid(peer_comm);
      int peer_size = 0;
      if (peer == nullptr && peer_comm != MPI_COMM_NULL) PMPI_Comm_size(peer_comm, &peer_size);
      if (peer != nullptr) peer_size = peer->peer_count();
      if (peer_comm == MPI_COMM_NULL || remote_leader < 0 || remote_leader >= peer_size) {
        return raise(local_hybrid, peer_comm == MPI_COMM_NULL ? MPI_ERR_COMM : MPI_ERR_RANK, "MPI_Intercomm_create");
      }
    }
    *newintercomm = build_intercomm(
        local, local_leader, [&](const Bytes& mine) { return swap_over_peer(peer_comm, remote_leader, tag, mine); },
        [&](int remote_world_rank) {
          // Batch ranks of one world: Open MPI makes it, with the native world as the peer.
          MPI_Comm native = MPI_COMM_NULL;
          PMPI_Intercomm_create(local_comm, local_leader, MPI_COMM_WORLD, remote_world_rank, tag, &native);
          return native;
        });
  } catch (const std::exception& error) {
    return raise(local_hybrid, MPI_ERR_INTERN, "MPI_Intercomm_create", error.what());
  }
  return MPI_SUCCESS;
}

int ferry::mpi::impl::MPI_Intercomm_merge(MPI_Comm handle, int high, MPI_Comm* newintracomm) {
  Comm* inter = hybrid(handle);
  if (!inter->inter()) return raise(inter, MPI_ERR_COMM, "MPI_Intercomm_merge");
  try {
    const Bytes mine{std::byte(high != 0 ? 1 : 0)};
    const Bytes remote = exchange_across(*inter, mine);
    if (remote.size() != 1) throw Error(Errc::protocol, "malformed merge exchange");
    const bool remote_high = remote[0] != std::byte{0};
    bool local_first = !(high != 0) && remote_high;
    if ((high != 0) == remote_high) {
      // Both asked for the same side: the group whose leader's address sorts first goes first.
      local_first = transport().address_of(inter->world_rank(0)) < transport().address_of(inter->peer(0));
    }
    std::vector<int> members = local_first ? inter->group.members : inter->remote->members;
    const std::vector<int>& second = local_first ? inter->remote->members : inter->group.members;
    members.insert(members.end(), second.begin(), second.end());
    Agreement agreement;
    agreement.context_id = agree_across(*inter);
    *newintracomm = make_comm(members, agreement);
    if (Comm* merged = hybrid(*newintracomm)) merged->errhandler = inter->errhandler;
  } catch (const std::exception& error) {
    return raise(inter, MPI_ERR_INTERN, "MPI_Intercomm_merge", error.what());
  }
  return MPI_SUCCESS;
}

int ferry::mpi::impl::MPI_Comm_test_inter(MPI_Comm handle, int* flag) {
  *flag = intercomm(handle) != nullptr ? 1 : 0;
  return MPI_SUCCESS;
}

int ferry::mpi::impl::MPI_Comm_remote_size(MPI_Comm handle, int* size) {
  Comm* inter = intercomm(handle);
  if (inter == nullptr) return raise(hybrid(handle), MPI_ERR_COMM, "MPI_Comm_remote_size");
  *size = inter->remote->size();
  return MPI_SUCCESS;
}

int ferry::mpi::impl::MPI_Comm_remote_group(MPI_Comm handle, MPI_Group* group) {
  Comm* inter = intercomm(handle);
  if (inter == nullptr) return raise(hybrid(handle), MPI_ERR_COMM, "MPI_Comm_remote_group");
  *group = make_group(inter->remote->members);
  return MPI_SUCCESS;
}
