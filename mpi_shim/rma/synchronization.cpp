// Synchronization of hybrid windows. Every data operation has completed locally when it
// returns; what remains is remote completion (UCX flush) and the agreement between
// ranks: a barrier for MPI_Win_fence, the target's lock word for passive target, and
// notifications on the window's own communicator for post-start-complete-wait.

#include <mpi.h>

#include <atomic>
#include <vector>

#include "mpi_shim/communicator.hpp"
#include "mpi_shim/errors.hpp"
#include "mpi_shim/rma/remote_memory.hpp"
#include "mpi_shim/rma/target_locks.hpp"
#include "mpi_shim/rma/window.hpp"
#include "mpi_shim/surface/implementations.hpp"

using namespace ferry::mpi;

namespace {

// Tags of the notifications on the window's communicator, which only the window uses.
constexpr int post_tag = 1;
constexpr int complete_tag = 2;

Target* target_at(Window& window, int rank) {
  if (rank < 0 || size_t(rank) >= window.targets.size()) return nullptr;
  return &window.targets[size_t(rank)];
}

/// The ranks in the window's communicator of a group's members; false when one is no member.
bool window_ranks(const Window& window, MPI_Group group, std::vector<int>& ranks) {
  ranks.clear();
  for (int world_rank : members_of(group)) {
    const int rank = window.comm->group.rank_of(world_rank);
    if (rank == MPI_UNDEFINED) return false;
    ranks.push_back(rank);
  }
  return true;
}

}  // namespace

int ferry::mpi::impl::MPI_Win_fence(int assert, MPI_Win win) {
  Window& window = *hybrid(win);
  if ((assert & MPI_MODE_NOPRECEDE) == 0) rma::flush_all();
  return impl::MPI_Barrier(window.comm_handle);
}

int ferry::mpi::impl::MPI_Win_lock(int lock_type, int rank, int assert, MPI_Win win) {
  Window& window = *hybrid(win);
  if (lock_type != MPI_LOCK_SHARED && lock_type != MPI_LOCK_EXCLUSIVE) return raise(window, MPI_ERR_LOCKTYPE, "MPI_Win_lock");
  if (rank == MPI_PROC_NULL) return MPI_SUCCESS;
  Target* target = target_at(window, rank);
  if (target == nullptr) return raise(window, MPI_ERR_RANK, "MPI_Win_lock");
  if (target->lock_held != 0 || window.lock_all_held) return raise(window, MPI_ERR_RMA_SYNC, "MPI_Win_lock");
  target->lock_taken = (assert & MPI_MODE_NOCHECK) == 0;
  if (target->lock_taken) rma::lock(*target, lock_type);
  target->lock_held = lock_type;
  return MPI_SUCCESS;
}

int ferry::mpi::impl::MPI_Win_unlock(int rank, MPI_Win win) {
  Window& window = *hybrid(win);
  if (rank == MPI_PROC_NULL) return MPI_SUCCESS;
  Target* target = target_at(window, rank);
  if (target == nullptr) return raise(window, MPI_ERR_RANK, "MPI_Win_unlock");
  if (target->lock_held == 0) return raise(window, MPI_ERR_RMA_SYNC, "MPI_Win_unlock");
  if (target->lock_taken) {
    rma::unlock(*target, target->lock_held);
  } else {
    rma::flush(*target);
  }
  target->lock_held = 0;
  return MPI_SUCCESS;
}

int ferry::mpi::impl::MPI_Win_lock_all(int assert, MPI_Win win) {
  Window& window = *hybrid(win);
  if (window.lock_all_held) return raise(window, MPI_ERR_RMA_SYNC, "MPI_Win_lock_all");
  for (Target& target : window.targets) {
    if (target.lock_held != 0) return raise(window, MPI_ERR_RMA_SYNC, "MPI_Win_lock_all");
  }
  for (Target& target : window.targets) {
    target.lock_taken = (assert & MPI_MODE_NOCHECK) == 0;
    if (target.lock_taken) rma::lock(target, MPI_LOCK_SHARED);
    target.lock_held = MPI_LOCK_SHARED;
  }
  window.lock_all_held = true;
  return MPI_SUCCESS;
}

int ferry::mpi::impl::MPI_Win_unlock_all(MPI_Win win) {
  Window& window = *hybrid(win);
  if (!window.lock_all_held) return raise(window, MPI_ERR_RMA_SYNC, "MPI_Win_unlock_all");
  rma::flush_all();
  for (Target& target : window.targets) {
    if (target.lock_taken) rma::unlock(target, MPI_LOCK_SHARED);
    target.lock_held = 0;
  }
  window.lock_all_held = false;
  return MPI_SUCCESS;
}

int ferry::mpi::impl::MPI_Win_flush(int rank, MPI_Win win) {
  Window& window = *hybrid(win);
  if (rank == MPI_PROC_NULL) return MPI_SUCCESS;
  Target* target = target_at(window, rank);
  if (target == nullptr) return raise(window, MPI_ERR_RANK, "MPI_Win_flush");
  rma::flush(*target);
  return MPI_SUCCESS;
}

int ferry::mpi::impl::MPI_Win_flush_all(MPI_Win) {
  rma::flush_all();
  return MPI_SUCCESS;
}

// Operations complete locally before they return: local completion needs no more than
// remote completion does, which is kept as the stronger guarantee.
int ferry::mpi::impl::MPI_Win_flush_local(int rank, MPI_Win win) { return impl::MPI_Win_flush(rank, win); }

int ferry::mpi::impl::MPI_Win_flush_local_all(MPI_Win win) { return impl::MPI_Win_flush_all(win); }

int ferry::mpi::impl::MPI_Win_sync(MPI_Win) {
  std::atomic_thread_fence(std::memory_order_seq_cst);
  return MPI_SUCCESS;
}

int ferry::mpi::impl::MPI_Win_post(MPI_Group group, int assert, MPI_Win win) {
  Window& window = *hybrid(win);
  if (!window.completions.empty()) return raise(window, MPI_ERR_RMA_SYNC, "MPI_Win_post");
  if (!window_ranks(window, group, window.exposure_group)) return raise(window, MPI_ERR_GROUP, "MPI_Win_post");
  window.completions.assign(window.exposure_group.size(), MPI_REQUEST_NULL);
  for (size_t i = 0; i < window.exposure_group.size(); ++i) {
    const int origin = window.exposure_group[i];
    if (const int code = impl::MPI_Irecv(nullptr, 0, MPI_BYTE, origin, complete_tag, window.comm_handle,
                                         &window.completions[i])) {
      return code;
    }
    if ((assert & MPI_MODE_NOCHECK) != 0) continue;
    if (const int code = impl::MPI_Send(nullptr, 0, MPI_BYTE, origin, post_tag, window.comm_handle)) return code;
  }
  return MPI_SUCCESS;
}

int ferry::mpi::impl::MPI_Win_start(MPI_Group group, int assert, MPI_Win win) {
  Window& window = *hybrid(win);
  if (!window.access_group.empty()) return raise(window, MPI_ERR_RMA_SYNC, "MPI_Win_start");
  if (!window_ranks(window, group, window.access_group)) return raise(window, MPI_ERR_GROUP, "MPI_Win_start");
  if ((assert & MPI_MODE_NOCHECK) != 0) return MPI_SUCCESS;
  for (int target : window.access_group) {
    if (const int code = impl::MPI_Recv(nullptr, 0, MPI_BYTE, target, post_tag, window.comm_handle,
                                        MPI_STATUS_IGNORE)) {
      return code;
    }
  }
  return MPI_SUCCESS;
}

int ferry::mpi::impl::MPI_Win_complete(MPI_Win win) {
  Window& window = *hybrid(win);
  for (int rank : window.access_group) rma::flush(window.targets[size_t(rank)]);
  for (int rank : window.access_group) {
    if (const int code = impl::MPI_Send(nullptr, 0, MPI_BYTE, rank, complete_tag, window.comm_handle)) return code;
  }
  window.access_group.clear();
  return MPI_SUCCESS;
}

int ferry::mpi::impl::MPI_Win_wait(MPI_Win win) {
  Window& window = *hybrid(win);
  const int code = ::MPI_Waitall(int(window.completions.size()), window.completions.data(), MPI_STATUSES_IGNORE);
  window.completions.clear();
  window.exposure_group.clear();
  return code;
}

int ferry::mpi::impl::MPI_Win_test(MPI_Win win, int* flag) {
  Window& window = *hybrid(win);
  const int code = ::MPI_Testall(int(window.completions.size()), window.completions.data(), flag, MPI_STATUSES_IGNORE);
  if (code == MPI_SUCCESS && *flag != 0) {
    window.completions.clear();
    window.exposure_group.clear();
  }
  return code;
}
