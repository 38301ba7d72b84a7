#pragma once
// The locks origins take on a target, as words of its control region changed with UCX
// atomics (no target CPU involved on RDMA hardware):
//   passive_lock     MPI_Win_lock: exclusive_lock_bit for an exclusive holder, else the
//                    number of shared holders;
//   accumulate_lock  one origin at a time runs an accumulate on the target's memory, which
//                    makes every accumulate atomic per element against every other.

#include "mpi_shim/rma/window.hpp"

namespace ferry::mpi::rma {

/// Takes / lets go of `target`'s passive lock of `lock_type` (MPI_LOCK_SHARED or
/// MPI_LOCK_EXCLUSIVE), waiting while a holder excludes it.
void lock(Target& target, int lock_type);
void unlock(Target& target, int lock_type);

/// Takes `target`'s accumulate lock, waiting while another origin holds it; the release
/// first completes this origin's operations at the target.
void take_accumulate_lock(Target& target);
void release_accumulate_lock(Target& target) noexcept;

/// Runs `body` while holding `target`'s accumulate lock.
template <class Body>
void with_accumulate_lock(Target& target, Body&& body) {
  take_accumulate_lock(target);
  try {
    body();
  } catch (...) {
    release_accumulate_lock(target);
    throw;
  }
  release_accumulate_lock(target);
}

}  // namespace ferry::mpi::rma
