#include "mpi_shim/rma/target_locks.hpp"

#include <cstdio>
#include <exception>

#include "mpi_shim/rma/remote_memory.hpp"

namespace ferry::mpi::rma {

void lock(Target& target, int lock_type) {
  Backoff backoff;
  if (lock_type == MPI_LOCK_EXCLUSIVE) {
    while (compare_swap(target, passive_lock, 0, exclusive_lock_bit) != 0) backoff.pause();
    return;
  }
  // A shared holder counts itself in, and backs out again while an exclusive one holds it.
  while ((fetch_add(target, passive_lock, 1) & exclusive_lock_bit) != 0) {
    fetch_add(target, passive_lock, uint64_t(-1));
    backoff.pause();
  }
}

void unlock(Target& target, int lock_type) {
  flush(target);
  fetch_add(target, passive_lock, lock_type == MPI_LOCK_EXCLUSIVE ? -exclusive_lock_bit : uint64_t(-1));
}

void take_accumulate_lock(Target& target) {
  Backoff backoff;
  while (compare_swap(target, accumulate_lock, 0, 1) != 0) backoff.pause();
}

void release_accumulate_lock(Target& target) noexcept {
  try {
    flush(target);
    fetch_add(target, accumulate_lock, uint64_t(-1));
  } catch (const std::exception& error) {
    std::fprintf(stderr, "ferry: releasing a window's accumulate lock failed: %s\n", error.what());
  }
}

}  // namespace ferry::mpi::rma
