#pragma once
// UCX one-sided operations on a window's members, each run to the completion its caller
// needs, waiting in the job's waiting mode.

#include <cstddef>
#include <cstdint>

#include "mpi_shim/rma/window.hpp"

namespace ferry::mpi::rma {

/// When an operation's local buffer is done with: before the call returns (the buffer is
/// the shim's own staging, or a request-based operation's), or by the next flush of its
/// target, which MPI's synchronization calls all do (the user's buffer of MPI_Put/MPI_Get).
enum class LocalCompletion { on_return, by_flush };

/// Copies `length` bytes to / from `address` in the target's memory that `key` opens.
void put(Target& target, ucp_rkey_h key, const void* data, size_t length, uint64_t address,
         LocalCompletion completion = LocalCompletion::on_return);
void get(Target& target, ucp_rkey_h key, void* data, size_t length, uint64_t address,
         LocalCompletion completion = LocalCompletion::on_return);

/// 64-bit atomics on a word of the target's control region; each returns the word's
/// former value.
uint64_t fetch_add(Target& target, ControlWord word, uint64_t value);
uint64_t compare_swap(Target& target, ControlWord word, uint64_t expected, uint64_t desired);

/// Returns once every operation this process started on `target` (on any target) is
/// complete at the target.
void flush(Target& target);
void flush_all();

/// Pauses between attempts to take a contended lock: progress first, then yields, then
/// sleeps of growing length, so that a waiter leaves the core to the holder.
class Backoff {
 public:
  void pause();

 private:
  unsigned rounds_ = 0;
};

}  // namespace ferry::mpi::rma
