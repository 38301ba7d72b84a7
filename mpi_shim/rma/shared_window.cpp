// MPI_Win_allocate_shared and MPI_Win_shared_query on hybrid communicators whose members
// all run on one host: one shared-memory segment holds every member's part, one after the
// other, so members load and store each other's memory directly. The window is an
// ordinary one besides (every member's part registered with UCX).

#include <mpi.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <string>
#include <vector>

#include "mpi_shim/communicator.hpp"
#include "mpi_shim/errors.hpp"
#include "mpi_shim/rma/window_setup.hpp"
#include "mpi_shim/surface/implementations.hpp"
#include "runtime/common/error.hpp"

using namespace ferry::mpi;

namespace {

struct Member {
  std::array<char, 256> host{};
  int64_t size = 0;
  int32_t disp_unit = 1;
  int32_t pid = 0;
  uint64_t serial = 0;  ///< windows this process has shared before
};

uint64_t shared_windows_made = 0;

std::vector<Member> gather_members(Comm& comm, MPI_Aint size, int disp_unit) {
  Member mine;
  ::gethostname(mine.host.data(), mine.host.size() - 1);
  mine.size = size;
  mine.disp_unit = disp_unit;
  mine.pid = int32_t(::getpid());
  mine.serial = shared_windows_made++;
  std::vector<Member> members(size_t(comm.size()));
  allgather_bytes(comm, &mine, sizeof mine, members.data());
  return members;
}

/// Maps the segment on every member: the first creates it, the others open it once it
/// exists, and its name goes once everyone has it mapped.
std::unique_ptr<rma::SharedSegment> map_segment(Comm& comm, MPI_Comm handle, const std::string& name, size_t total) {
  auto barrier = [handle] {
    if (impl::MPI_Barrier(handle) != MPI_SUCCESS) throw ferry::Error(ferry::Errc::transport, "a barrier failed");
  };
  std::unique_ptr<rma::SharedSegment> segment;
  if (comm.rank == 0) segment = std::make_unique<rma::SharedSegment>(name, total, true);
  barrier();
  if (comm.rank != 0) segment = std::make_unique<rma::SharedSegment>(name, total, false);
  barrier();
  if (comm.rank == 0) segment->unlink();
  return segment;
}

}  // namespace

int ferry::mpi::impl::MPI_Win_allocate_shared(MPI_Aint size, int disp_unit, MPI_Info info, MPI_Comm comm,
                                              void* baseptr, MPI_Win* win) {
  Comm& creator = *hybrid(comm);
  if (size < 0) return raise(&creator, MPI_ERR_SIZE, "MPI_Win_allocate_shared");
  if (disp_unit <= 0) return raise(&creator, MPI_ERR_DISP, "MPI_Win_allocate_shared");
  const std::vector<Member> members = gather_members(creator, size, disp_unit);
  for (const Member& member : members) {
    if (member.host != members.front().host) {
      return raise(&creator, MPI_ERR_RMA_SHARED, "MPI_Win_allocate_shared", "the ranks run on more than one host");
    }
  }
  std::vector<MPI_Aint> offsets, sizes;
  std::vector<int> disp_units;
  MPI_Aint total = 0;
  for (const Member& member : members) {
    offsets.push_back(total);
    sizes.push_back(MPI_Aint(member.size));
    disp_units.push_back(member.disp_unit);
    total += MPI_Aint(member.size);
  }
  const std::string name = "/ferry-win-" + std::to_string(members.front().pid) + "-" +
                           std::to_string(members.front().serial);
  auto segment = map_segment(creator, comm, name, size_t(total));
  void* base = segment->data() + offsets[size_t(creator.rank)];
  std::unique_ptr<Window> window = rma::create_window(creator, base, size, disp_unit, MPI_WIN_FLAVOR_SHARED, info);
  window->segment = std::move(segment);
  window->shared_offsets = std::move(offsets);
  window->shared_sizes = std::move(sizes);
  window->shared_disp_units = std::move(disp_units);
  *static_cast<void**>(baseptr) = base;
  *win = handle_of(window.release());
  return MPI_SUCCESS;
}

int ferry::mpi::impl::MPI_Win_shared_query(MPI_Win win, int rank, MPI_Aint* size, int* disp_unit, void* baseptr) {
  Window& window = *hybrid(win);
  if (window.flavor != MPI_WIN_FLAVOR_SHARED) return raise(window, MPI_ERR_RMA_FLAVOR, "MPI_Win_shared_query");
  const int members = int(window.shared_sizes.size());
  if (rank == MPI_PROC_NULL) {
    const auto first = std::find_if(window.shared_sizes.begin(), window.shared_sizes.end(),
                                    [](MPI_Aint bytes) { return bytes > 0; });
    rank = first == window.shared_sizes.end() ? 0 : int(first - window.shared_sizes.begin());
  } else if (rank < 0 || rank >= members) {
    return raise(window, MPI_ERR_RANK, "MPI_Win_shared_query");
  }
  *size = window.shared_sizes[size_t(rank)];
  *disp_unit = window.shared_disp_units[size_t(rank)];
  *static_cast<void**>(baseptr) = window.segment->data() + window.shared_offsets[size_t(rank)];
  return MPI_SUCCESS;
}
