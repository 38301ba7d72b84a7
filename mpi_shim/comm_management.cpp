// Creating, comparing and freeing hybrid communicators. New communicators agree on a
// context id over their parent; one whose members are all batch ranks is made native.

#include <mpi.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <functional>
#include <numeric>
#include <vector>

#include "mpi_shim/attributes.hpp"
#include "mpi_shim/collectives/task.hpp"
#include "mpi_shim/communicator.hpp"
#include "mpi_shim/dynamic/intercomm.hpp"
#include "mpi_shim/dynamic/process_failures.hpp"
#include "mpi_shim/errors.hpp"
#include "mpi_shim/request.hpp"
#include "mpi_shim/surface/fortran.hpp"
#include "mpi_shim/surface/implementations.hpp"
#include "mpi_shim/world.hpp"

using namespace ferry::mpi;

namespace {

/// A communicator over the members of `group` alone (MPI_Comm_create_group); `tag` keeps
/// concurrent creations apart.
Comm temporary_subset(Comm& parent, const std::vector<int>& members, int tag) {
  Comm subset;
  subset.context_id = parent.context_id;
  subset.group.members = members;
  subset.rank = subset.group.rank_of(world().self);
  subset.collective_sequence = 0x400000U | (uint32_t(tag) & 0x3FFFFFU);
  return subset;
}

/// MPI_Comm_dup as a task: MPI_Comm_idup runs it in the background, MPI_Comm_dup at once.
/// `deliver` receives the new communicator when it completes.
Task dup_task(Comm& parent, MPI_Comm parent_handle, std::function<void(MPI_Comm)> deliver) {
  Agreement agreement;
  Task agree = agree_task(parent, 0, parent.rank, agreement);
  if (const int code = co_await agree; code != MPI_SUCCESS) co_return code;
  const MPI_Comm created = make_comm(parent.group.members, agreement, &parent);
  if (const int code = copy_attributes(parent, parent_handle, *hybrid(created)); code != MPI_SUCCESS) {
    MPI_Comm doomed = created;
    MPI_Comm_free(&doomed);
    co_return code;
  }
  deliver(created);
  co_return MPI_SUCCESS;
}

int split(Comm& parent, int color, int key, MPI_Comm* out, const char* function) {
  try {
    if (parent.inter()) {
      *out = split_intercomm(parent, color, key);
      return MPI_SUCCESS;
    }
    const Agreement agreement = agree(parent, color, key);
    *out = make_comm(members_of_color(parent, agreement), agreement);
  } catch (const std::exception& error) {
    return raise(&parent, MPI_ERR_INTERN, function, error.what());
  }
  return MPI_SUCCESS;
}

int create(Comm& parent, const std::vector<int>& members, MPI_Comm* out, const char* function) {
  try {
    *out = create_comm(parent, members);
  } catch (const std::exception& error) {
    return raise(&parent, MPI_ERR_INTERN, function, error.what());
  }
  return MPI_SUCCESS;
}

/// The arguments of MPI_Comm_create(_group) that the shim serves because `group` is its own:
/// the communicator must be too (MPI_COMM_NULL is no communicator), the group a group.
int check_creation(Comm* comm, MPI_Group group, MPI_Comm* out, const char* function) {
  if (comm == nullptr) return raise(nullptr, MPI_ERR_COMM, function);
  if (group == MPI_GROUP_NULL) return raise(comm, MPI_ERR_GROUP, function);
  if (out == nullptr) return raise(comm, MPI_ERR_ARG, function);
  return MPI_SUCCESS;
}

}  // namespace

int ferry::mpi::start_idup(MPI_Comm handle, std::function<void(MPI_Comm)> deliver, MPI_Request* request) {
  Comm* comm = hybrid(handle);
  if (request == nullptr) return raise(comm, MPI_ERR_REQUEST, "MPI_Comm_idup");
  try {
    if (comm->inter()) {
      // An intercommunicator is duplicated at once; the request is complete when handed out.
      MPI_Comm created = MPI_COMM_NULL;
      if (const int code = impl::MPI_Comm_dup(handle, &created); code != MPI_SUCCESS) return code;
      deliver(created);
      *request = completed_request(*comm);
      return MPI_SUCCESS;
    }
    *request = start_collective(*comm, std::make_unique<Task>(dup_task(*comm, handle, std::move(deliver))));
  } catch (const std::exception& error) {
    return raise(comm, MPI_ERR_INTERN, "MPI_Comm_idup", error.what());
  }
  return MPI_SUCCESS;
}

int ferry::mpi::impl::MPI_Comm_size(MPI_Comm handle, int* size) {
  Comm* comm = hybrid(handle);
  if (size == nullptr) return raise(comm, MPI_ERR_ARG, "MPI_Comm_size");
  *size = comm->size();
  return MPI_SUCCESS;
}

int ferry::mpi::impl::MPI_Comm_rank(MPI_Comm handle, int* rank) {
  Comm* comm = hybrid(handle);
  if (rank == nullptr) return raise(comm, MPI_ERR_ARG, "MPI_Comm_rank");
  *rank = comm->rank;
  return MPI_SUCCESS;
}

int ferry::mpi::impl::MPI_Comm_group(MPI_Comm handle, MPI_Group* group) {
  Comm* comm = hybrid(handle);
  if (group == nullptr) return raise(comm, MPI_ERR_ARG, "MPI_Comm_group");
  *group = make_group(comm->group.members);
  return MPI_SUCCESS;
}

int ferry::mpi::impl::MPI_Comm_dup(MPI_Comm handle, MPI_Comm* out) {
  Comm* comm = hybrid(handle);
  if (out == nullptr) return raise(comm, MPI_ERR_ARG, "MPI_Comm_dup");
  try {
    if (comm->inter()) {
      const MPI_Comm created = dup_intercomm(*comm);
      if (const int code = copy_attributes(*comm, handle, *hybrid(created)); code != MPI_SUCCESS) {
        MPI_Comm doomed = created;
        impl::MPI_Comm_free(&doomed);
        return raise(comm, code, "MPI_Comm_dup");
      }
      *out = created;
      return MPI_SUCCESS;
    }
    Task task = dup_task(*comm, handle, [out](MPI_Comm created) { *out = created; });
    if (const int code = run(task, *comm); code != MPI_SUCCESS) return raise(comm, code, "MPI_Comm_dup", task.detail());
  } catch (const std::exception& error) {
    return raise(comm, MPI_ERR_INTERN, "MPI_Comm_dup", error.what());
  }
  return MPI_SUCCESS;
}

int ferry::mpi::impl::MPI_Comm_dup_with_info(MPI_Comm handle, MPI_Info /*info*/, MPI_Comm* out) {
  return impl::MPI_Comm_dup(handle, out);
}

int ferry::mpi::impl::MPI_Comm_idup(MPI_Comm handle, MPI_Comm* out, MPI_Request* request) {
  if (out == nullptr) return raise(hybrid(handle), MPI_ERR_ARG, "MPI_Comm_idup");
  *out = MPI_COMM_NULL;
  return start_idup(handle, [out](MPI_Comm created) { *out = created; }, request);
}

int ferry::mpi::impl::MPI_Comm_split(MPI_Comm handle, int color, int key, MPI_Comm* out) {
  Comm* comm = hybrid(handle);
  if ((color < 0 && color != MPI_UNDEFINED) || out == nullptr) return raise(comm, MPI_ERR_ARG, "MPI_Comm_split");
  return split(*comm, color, key, out, "MPI_Comm_split");
}

int ferry::mpi::impl::MPI_Comm_split_type(MPI_Comm handle, int split_type, int key, MPI_Info /*info*/, MPI_Comm* out) {
  Comm* comm = hybrid(handle);
  if (out == nullptr) return raise(comm, MPI_ERR_ARG, "MPI_Comm_split_type");
  // Every type Open MPI knows is at most a node here: ranks on the same host share one.
  std::vector<std::array<char, 256>> hosts(size_t(comm->size()));
  std::array<char, 256> host{};
  ::gethostname(host.data(), host.size() - 1);
  allgather_bytes(*comm, host.data(), host.size(), hosts.data());
  int color = MPI_UNDEFINED;
  if (split_type != MPI_UNDEFINED) {
    color = int(std::find(hosts.begin(), hosts.end(), host) - hosts.begin());
  }
  return split(*comm, color, key, out, "MPI_Comm_split_type");
}

int ferry::mpi::impl::MPI_Comm_create(MPI_Comm handle, MPI_Group group, MPI_Comm* out) {
  Comm* comm = hybrid(handle);
  if (int error = check_creation(comm, group, out, "MPI_Comm_create")) return error;
  const std::vector<int> members = members_of(group);
  for (int rank : members) {
    if (comm->group.rank_of(rank) == MPI_UNDEFINED) return raise(comm, MPI_ERR_GROUP, "MPI_Comm_create");
  }
  if (comm->inter()) {
    // A split by membership, ordered as the group lists the members.
    const auto found = std::find(members.begin(), members.end(), world().self);
    const bool member = found != members.end();
    return split(*comm, member ? 0 : MPI_UNDEFINED, int(found - members.begin()), out, "MPI_Comm_create");
  }
  return create(*comm, members, out, "MPI_Comm_create");
}

int ferry::mpi::impl::MPI_Comm_create_group(MPI_Comm handle, MPI_Group group, int tag, MPI_Comm* out) {
  Comm* comm = hybrid(handle);
  if (int error = check_creation(comm, group, out, "MPI_Comm_create_group")) return error;
  if (comm->inter()) return raise(comm, MPI_ERR_COMM, "MPI_Comm_create_group");
  const std::vector<int> members = members_of(group);
  for (int rank : members) {
    if (comm->group.rank_of(rank) == MPI_UNDEFINED) return raise(comm, MPI_ERR_GROUP, "MPI_Comm_create_group");
  }
  if (std::find(members.begin(), members.end(), world().self) == members.end()) {
    *out = MPI_COMM_NULL;
    return MPI_SUCCESS;
  }
  Comm subset = temporary_subset(*comm, members, tag);
  return create(subset, members, out, "MPI_Comm_create_group");
}

int ferry::mpi::impl::MPI_Comm_free(MPI_Comm* handle) {
  Comm* comm = hybrid(*handle);
  if (*handle == MPI_COMM_WORLD) return raise(comm, MPI_ERR_COMM, "MPI_Comm_free");
  if (int error = delete_attributes(*comm, *handle)) return raise(comm, error, "MPI_Comm_free");
  fortran::forget(*handle);
  forget_comm(comm);
  *handle = MPI_COMM_NULL;
  return MPI_SUCCESS;
}

int ferry::mpi::impl::MPI_Comm_disconnect(MPI_Comm* handle) {
  Comm* comm = hybrid(*handle);
  if (*handle == MPI_COMM_WORLD) return raise(comm, MPI_ERR_COMM, "MPI_Comm_disconnect");
  // What was started on it completes first, then both sides meet, unless a process they
  // would wait for has failed (process_failures.hpp): each leaves knowing that the other
  // sends nothing more.
  complete_operations_on(*comm);
  if (comm_failure_code(*comm) == MPI_SUCCESS) {
    if (const int code = impl::MPI_Barrier(*handle); code != MPI_SUCCESS) return code;
  }
  return impl::MPI_Comm_free(handle);
}

int ferry::mpi::impl::MPI_Comm_compare(MPI_Comm a, MPI_Comm b, int* result) {
  if (a == MPI_COMM_NULL || b == MPI_COMM_NULL) return raise(nullptr, MPI_ERR_COMM, "MPI_Comm_compare");
  if (result == nullptr) return raise(hybrid(a) != nullptr ? hybrid(a) : hybrid(b), MPI_ERR_ARG, "MPI_Comm_compare");
  if (a == b) {
    *result = MPI_IDENT;
    return MPI_SUCCESS;
  }
  MPI_Group group_a = MPI_GROUP_NULL, group_b = MPI_GROUP_NULL;
  ::MPI_Comm_group(a, &group_a);
  ::MPI_Comm_group(b, &group_b);
  const std::vector<int> members_a = members_of(group_a), members_b = members_of(group_b);
  ::MPI_Group_free(&group_a);
  ::MPI_Group_free(&group_b);
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
