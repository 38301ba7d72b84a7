// Creating, comparing and freeing hybrid communicators. New communicators agree on a
// context id over their parent; one whose members are all batch ranks is made native.

#include <mpi.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <numeric>
#include <vector>

#include "mpi_shim/attributes.hpp"
#include "mpi_shim/communicator.hpp"
#include "mpi_shim/errors.hpp"
#include "mpi_shim/request.hpp"
#include "mpi_shim/world.hpp"

using namespace ferry::mpi;

namespace {

/// MPI_Comm_split's rule: members of my color ordered by key, then by rank in `comm`.
std::vector<int> members_of_color(Comm& comm, int color, int key) {
  std::vector<std::array<int, 2>> all(size_t(comm.size()));
  const std::array<int, 2> mine = {color, key};
  allgather_bytes(comm, mine.data(), sizeof mine, all.data());
  if (color == MPI_UNDEFINED) return {};
  std::vector<int> ranks;
  for (int r = 0; r < comm.size(); ++r) {
    if (all[size_t(r)][0] == color) ranks.push_back(r);
  }
  std::stable_sort(ranks.begin(), ranks.end(), [&](int a, int b) { return all[size_t(a)][1] < all[size_t(b)][1]; });
  std::vector<int> members;
  for (int r : ranks) members.push_back(comm.world_rank(r));
  return members;
}

/// A communicator over the members of `group` alone (MPI_Comm_create_group); `tag` keeps
/// concurrent creations apart.
Comm temporary_subset(Comm& parent, const std::vector<int>& members, int tag) {
  Comm subset;
  subset.context_id = parent.context_id;
  subset.group.members = members;
  subset.rank = subset.group.rank_of(world().rank);
  subset.collective_sequence = 0x400000U | (uint32_t(tag) & 0x3FFFFFU);
  return subset;
}

}  // namespace

extern "C" {

int MPI_Comm_size(MPI_Comm handle, int* size) {
  Comm* comm = hybrid(handle);
  if (comm == nullptr) return PMPI_Comm_size(handle, size);
  *size = comm->size();
  return MPI_SUCCESS;
}

int MPI_Comm_rank(MPI_Comm handle, int* rank) {
  Comm* comm = hybrid(handle);
  if (comm == nullptr) return PMPI_Comm_rank(handle, rank);
  *rank = comm->rank;
  return MPI_SUCCESS;
}

int MPI_Comm_group(MPI_Comm handle, MPI_Group* group) {
  Comm* comm = hybrid(handle);
  if (comm == nullptr) return PMPI_Comm_group(handle, group);
  *group = make_group(comm->group.members);
  return MPI_SUCCESS;
}

int MPI_Comm_test_inter(MPI_Comm handle, int* flag) {
  if (hybrid(handle) == nullptr) return PMPI_Comm_test_inter(handle, flag);
  *flag = 0;
  return MPI_SUCCESS;
}

int MPI_Comm_dup(MPI_Comm handle, MPI_Comm* out) {
  Comm* comm = hybrid(handle);
  if (comm == nullptr) return PMPI_Comm_dup(handle, out);
  *out = create_comm(*comm, comm->group.members, comm);
  if (int error = copy_attributes(*comm, handle, *hybrid(*out))) return raise(comm, error, "MPI_Comm_dup");
  return MPI_SUCCESS;
}

int MPI_Comm_dup_with_info(MPI_Comm handle, MPI_Info info, MPI_Comm* out) {
  if (hybrid(handle) == nullptr) return PMPI_Comm_dup_with_info(handle, info, out);
  return MPI_Comm_dup(handle, out);
}

int MPI_Comm_idup(MPI_Comm handle, MPI_Comm* out, MPI_Request* request) {
  Comm* comm = hybrid(handle);
  if (comm == nullptr) return PMPI_Comm_idup(handle, out, request);
  // Made at once: every member calls it in the same order, so nothing waits on later calls.
  const int result = MPI_Comm_dup(handle, out);
  Request* done = new_request();
  done->active = true;
  done->complete = true;
  done->comm = comm;
  set_status(&done->status, MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_SUCCESS, 0);
  *request = handle_of(done);
  return result;
}

int MPI_Comm_split(MPI_Comm handle, int color, int key, MPI_Comm* out) {
  Comm* comm = hybrid(handle);
  if (comm == nullptr) return PMPI_Comm_split(handle, color, key, out);
  if (color < 0 && color != MPI_UNDEFINED) return raise(comm, MPI_ERR_ARG, "MPI_Comm_split");
  *out = create_comm(*comm, members_of_color(*comm, color, key));
  return MPI_SUCCESS;
}

int MPI_Comm_split_type(MPI_Comm handle, int split_type, int key, MPI_Info info, MPI_Comm* out) {
  Comm* comm = hybrid(handle);
  if (comm == nullptr) return PMPI_Comm_split_type(handle, split_type, key, info, out);
  // Every type Open MPI knows is at most a node here: ranks on the same host share one.
  std::vector<std::array<char, 256>> hosts(size_t(comm->size()));
  std::array<char, 256> host{};
  ::gethostname(host.data(), host.size() - 1);
  allgather_bytes(*comm, host.data(), host.size(), hosts.data());
  int color = MPI_UNDEFINED;
  if (split_type != MPI_UNDEFINED) {
    color = int(std::find(hosts.begin(), hosts.end(), host) - hosts.begin());
  }
  *out = create_comm(*comm, members_of_color(*comm, color, key));
  return MPI_SUCCESS;
}

int MPI_Comm_create(MPI_Comm handle, MPI_Group group, MPI_Comm* out) {
  Comm* comm = hybrid(handle);
  if (comm == nullptr) return PMPI_Comm_create(handle, group, out);
  const std::vector<int> members = members_of(group);
  for (int rank : members) {
    if (comm->group.rank_of(rank) == MPI_UNDEFINED) return raise(comm, MPI_ERR_GROUP, "MPI_Comm_create");
  }
  *out = create_comm(*comm, members);
  return MPI_SUCCESS;
}

int MPI_Comm_create_group(MPI_Comm handle, MPI_Group group, int tag, MPI_Comm* out) {
  Comm* comm = hybrid(handle);
  if (comm == nullptr) return PMPI_Comm_create_group(handle, group, tag, out);
  const std::vector<int> members = members_of(group);
  for (int rank : members) {
    if (comm->group.rank_of(rank) == MPI_UNDEFINED) return raise(comm, MPI_ERR_GROUP, "MPI_Comm_create_group");
  }
  if (std::find(members.begin(), members.end(), world().rank) == members.end()) {
    *out = MPI_COMM_NULL;
    return MPI_SUCCESS;
  }
  Comm subset = temporary_subset(*comm, members, tag);
  *out = create_comm(subset, members);
  return MPI_SUCCESS;
}

int MPI_Comm_free(MPI_Comm* handle) {
  Comm* comm = hybrid(*handle);
  if (comm == nullptr) return PMPI_Comm_free(handle);
  if (*handle == MPI_COMM_WORLD) return raise(comm, MPI_ERR_COMM, "MPI_Comm_free");
  if (int error = delete_attributes(*comm, *handle)) return raise(comm, error, "MPI_Comm_free");
  forget_fortran_handle(comm);
  forget_comm(comm);
  *handle = MPI_COMM_NULL;
  return MPI_SUCCESS;
}

int MPI_Comm_compare(MPI_Comm a, MPI_Comm b, int* result) {
  Comm* first = hybrid(a);
  Comm* second = hybrid(b);
  if (first == nullptr && second == nullptr) return PMPI_Comm_compare(a, b, result);
  if (a == b) {
    *result = MPI_IDENT;
    return MPI_SUCCESS;
  }
  MPI_Group group_a = MPI_GROUP_NULL, group_b = MPI_GROUP_NULL;
  MPI_Comm_group(a, &group_a);
  MPI_Comm_group(b, &group_b);
  const std::vector<int> members_a = members_of(group_a), members_b = members_of(group_b);
  MPI_Group_free(&group_a);
  MPI_Group_free(&group_b);
  std::vector<int> sorted_a = members_a, sorted_b = members_b;
  std::sort(sorted_a.begin(), sorted_a.end());
  std::sort(sorted_b.begin(), sorted_b.end());
  if (members_a == members_b) {
    *result = MPI_CONGRUENT;
  } else {
    *result = sorted_a == sorted_b ? MPI_SIMILAR : MPI_UNEQUAL;
  }
  return MPI_SUCCESS;
}

}  // extern "C"
