#include "mpi_shim/rma/target_access.hpp"

#include <algorithm>

#include "mpi_shim/communicator.hpp"
#include "mpi_shim/datatype.hpp"
#include "mpi_shim/request.hpp"
#include "mpi_shim/rma/dynamic_window.hpp"
#include "mpi_shim/rma/remote_memory.hpp"

namespace ferry::mpi::rma {

int check_origin(int count, MPI_Datatype type) {
  if (count < 0) return MPI_ERR_COUNT;
  if (type == MPI_DATATYPE_NULL) return MPI_ERR_TYPE;
  return MPI_SUCCESS;
}

namespace {

/// Where the blocks of a dynamic window's access land: `disp` is an address in the target,
/// inside one of the regions it attached.
int find_attached(Target& target, MPI_Aint disp, TargetAccess& access) {
  if (access.blocks.empty()) return MPI_SUCCESS;
  MPI_Aint low = access.blocks.front().offset, high = low;
  for (const Block& block : access.blocks) {
    low = std::min(low, block.offset);
    high = std::max(high, block.offset + MPI_Aint(block.length));
  }
  const RemoteRegion* region = attached_region(target, uint64_t(disp + low), uint64_t(disp + high));
  if (region == nullptr) return MPI_ERR_RMA_RANGE;
  access.key = region->key->raw();
  return MPI_SUCCESS;
}

int find_in_window(const Target& target, MPI_Aint start, TargetAccess& access) {
  for (const Block& block : access.blocks) {
    if (start + block.offset < 0 || uint64_t(start + block.offset) + block.length > target.size) {
      return MPI_ERR_RMA_RANGE;
    }
  }
  if (target.data_key) access.key = target.data_key->raw();
  return MPI_SUCCESS;
}

}  // namespace

int find_target(Window& window, int rank, MPI_Aint disp, int count, MPI_Datatype type, TargetAccess& access) {
  if (const int code = check_origin(count, type)) return code;
  if (rank == MPI_PROC_NULL) return MPI_SUCCESS;
  if (rank < 0 || size_t(rank) >= window.targets.size()) return MPI_ERR_RANK;
  if (disp < 0 && window.flavor != MPI_WIN_FLAVOR_DYNAMIC) return MPI_ERR_DISP;
  Target& target = window.targets[size_t(rank)];
  blocks_of(count, type, access.blocks);
  for (const Block& block : access.blocks) access.bytes += block.length;
  const bool dynamic = window.flavor == MPI_WIN_FLAVOR_DYNAMIC;
  const MPI_Aint start = dynamic ? disp : disp * target.disp_unit;
  const int code = dynamic ? find_attached(target, disp, access) : find_in_window(target, start, access);
  if (code != MPI_SUCCESS) return code;
  access.target = &target;
  access.address = (dynamic ? 0 : target.base) + uint64_t(start);
  return MPI_SUCCESS;
}

void write_blocks(const TargetAccess& access, const std::byte* packed, LocalCompletion completion) {
  for (const Block& block : access.blocks) {
    put(*access.target, access.key, packed, block.length, access.address + uint64_t(block.offset), completion);
    packed += block.length;
  }
}

void read_blocks(const TargetAccess& access, std::byte* packed, LocalCompletion completion) {
  for (const Block& block : access.blocks) {
    get(*access.target, access.key, packed, block.length, access.address + uint64_t(block.offset), completion);
    packed += block.length;
  }
}

void complete_request(Window& window, MPI_Request* out) {
  Request* request = new_request();
  request->active = true;
  request->complete = true;
  request->bind(window.comm);
  set_status(&request->status, MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_SUCCESS, 0);
  *out = handle_of(request);
}

}  // namespace ferry::mpi::rma
