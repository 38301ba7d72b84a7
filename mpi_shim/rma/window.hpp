#pragma once
// Windows of hybrid communicators: shim objects whose addresses are handed out as MPI_Win.
// A window over a native communicator is Open MPI's own.
//
// Every member registers its window memory and a small control region with UCX and hands
// every other member their addresses and packed remote keys; origins then move data with
// UCX RMA and take the target's locks with UCX atomics, without the target's CPU.

#include <mpi.h>
#include <ucp/api/ucp.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "mpi_shim/held_errhandler.hpp"
#include "mpi_shim/rma/shared_segment.hpp"
#include "runtime/ucx/memory.hpp"

namespace ferry::mpi {

struct Comm;

/// The words of a member's control region, each 64 bits, reached with UCX atomics.
enum ControlWord : size_t {
  passive_lock = 0,     ///< MPI_Win_lock: exclusive_lock_bit, or the number of shared holders
  accumulate_lock = 1,  ///< held (1) while an origin runs an accumulate on this member's memory
  control_words = 2,
};
inline constexpr uint64_t exclusive_lock_bit = uint64_t(1) << 32;

/// A region a member of a dynamic window attached, as an origin knows it.
struct RemoteRegion {
  uint64_t base = 0;
  uint64_t size = 0;
  std::unique_ptr<ucx::RemoteKey> key;
};

/// What an origin knows of one member of the window: where its memory is and the keys to it.
struct Target {
  int world_rank = 0;
  ucp_ep_h endpoint = nullptr;
  uint64_t base = 0;
  uint64_t size = 0;
  int disp_unit = 1;
  uint64_t control_base = 0;
  std::unique_ptr<ucx::RemoteKey> data_key;
  std::unique_ptr<ucx::RemoteKey> control_key;
  // Dynamic windows: the member's directory of attached regions, and the copy read last.
  uint64_t directory_base = 0;
  std::unique_ptr<ucx::RemoteKey> directory_key;
  uint64_t directory_generation = ~uint64_t(0);
  std::vector<RemoteRegion> regions;
  int lock_held = 0;  ///< the MPI_Win_lock type this origin holds on it, or 0
  bool lock_taken = false;  ///< the lock word was changed (not under MPI_MODE_NOCHECK)
};

struct Window {
  Comm* comm = nullptr;  ///< the window's own communicator (a duplicate of the creator's)
  MPI_Comm comm_handle = MPI_COMM_NULL;
  HeldErrhandler errhandler{MPI_ERRORS_ARE_FATAL};
  std::string name;

  void* base = nullptr;
  MPI_Aint size = 0;
  int disp_unit = 1;
  int flavor = MPI_WIN_FLAVOR_CREATE;
  std::unique_ptr<ucx::MemoryRegion> memory;   ///< this member's window memory, registered
  std::unique_ptr<ucx::MemoryRegion> control;  ///< this member's control words
  std::unique_ptr<ucx::MemoryRegion> directory;  ///< dynamic windows: what this member attached
  std::vector<std::unique_ptr<ucx::MemoryRegion>> attached;
  // Shared windows: the segment every member maps, and each member's part of it.
  std::unique_ptr<rma::SharedSegment> segment;
  std::vector<MPI_Aint> shared_offsets;
  std::vector<MPI_Aint> shared_sizes;
  std::vector<int> shared_disp_units;
  std::vector<Target> targets;                 ///< by rank in `comm`
  std::map<int, void*> attributes;
  MPI_Info info = MPI_INFO_NULL;

  bool lock_all_held = false;
  std::vector<int> access_group;    ///< MPI_Win_start's targets (ranks in `comm`)
  std::vector<int> exposure_group;  ///< MPI_Win_post's origins
  std::vector<MPI_Request> completions;  ///< MPI_Win_post's receives of the origins' completes
};

/// The shim's window behind `handle`, or nullptr for an Open MPI one.
Window* hybrid(MPI_Win handle) noexcept;
MPI_Win handle_of(Window* window) noexcept;
/// Makes `window` a handle the entry points recognise; forget_window() undoes it (and
/// forgets its Fortran handle). The caller owns the window.
void remember_window(Window* window);
void forget_window(Window* window) noexcept;
/// At MPI_Finalize, once every rank is there: the windows the program did not free give
/// their UCX registrations and keys back before the transport goes.
void discard_windows_left();

}  // namespace ferry::mpi
