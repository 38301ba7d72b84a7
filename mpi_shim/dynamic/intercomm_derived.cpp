#include <algorithm>
#include <cstring>
#include <numeric>

#include "mpi_shim/dynamic/intercomm.hpp"
#include "runtime/common/error.hpp"

namespace ferry::mpi {

namespace {

struct Member {
  int32_t color = 0;
  int32_t key = 0;
  uint32_t context_id = 0;        ///< the id the member's new intercommunicator receives on
  uint32_t local_context_id = 0;  ///< and the id of its local part
};

}  // namespace

MPI_Comm dup_intercomm(Comm& inter) {
  LocalGroup local(*inter.local);
  const uint32_t context_id = agree_within(local);
  uint32_t local_context_id = 0;
  try {
    local_context_id = agree_within(local);
    Bytes mine(sizeof context_id);
    std::memcpy(mine.data(), &context_id, sizeof context_id);
    const Bytes remote = exchange_across(inter, mine);
    if (remote.size() != sizeof(uint32_t)) throw Error(Errc::protocol, "malformed dup exchange");
    uint32_t remote_context_id = 0;
    std::memcpy(&remote_context_id, remote.data(), sizeof remote_context_id);
    return register_intercomm(inter.group.members, inter.rank, context_id, local_context_id, inter.remote->members,
                              remote_context_id, inter.errhandler);
  } catch (...) {
    release_context_id(context_id);
    if (local_context_id != 0) release_context_id(local_context_id);
    throw;
  }
}

MPI_Comm split_intercomm(Comm& inter, int color, int key) {
  Comm& local = *inter.local;
  const Agreement receive = agree(local, color, key);
  const Agreement own = agree(local, color, key);
  const Member mine{color, key, receive.context_id.value_or(0), own.context_id.value_or(0)};
  std::vector<Member> locals(size_t(local.size()));
  allgather_bytes(local, &mine, sizeof mine, locals.data());
  Bytes out(locals.size() * sizeof(Member));
  std::memcpy(out.data(), locals.data(), out.size());
  const Bytes in = exchange_across(inter, out);
  if (in.size() != size_t(inter.remote->size()) * sizeof(Member)) throw Error(Errc::protocol, "malformed split exchange");
  std::vector<Member> remotes(size_t(inter.remote->size()));
  std::memcpy(remotes.data(), in.data(), in.size());

  auto release_mine = [&] {
    if (mine.context_id != 0) release_context_id(mine.context_id);
    if (mine.local_context_id != 0) release_context_id(mine.local_context_id);
  };
  if (color == MPI_UNDEFINED) return MPI_COMM_NULL;
  std::vector<int> remote_ranks;
  for (int r = 0; r < int(remotes.size()); ++r) {
    if (remotes[size_t(r)].color == color) remote_ranks.push_back(r);
  }
  if (remote_ranks.empty()) {
    release_mine();
    return MPI_COMM_NULL;
  }
  std::stable_sort(remote_ranks.begin(), remote_ranks.end(),
                   [&](int a, int b) { return remotes[size_t(a)].key < remotes[size_t(b)].key; });
  std::vector<int> remote_members;
  for (int r : remote_ranks) remote_members.push_back(inter.remote->members[size_t(r)]);
  std::vector<int> local_members = members_of_color(local, receive);
  const int rank = int(std::find(local_members.begin(), local_members.end(), world().self) - local_members.begin());
  return register_intercomm(std::move(local_members), rank, mine.context_id, mine.local_context_id,
                            std::move(remote_members), remotes[size_t(remote_ranks.front())].context_id,
                            inter.errhandler);
}

}  // namespace ferry::mpi
