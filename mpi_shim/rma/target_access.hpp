#pragma once
// Where an operation lands in its target: the argument checks every one-sided operation
// shares, and the target's blocks as remote addresses.

#include <mpi.h>

#include <cstdint>
#include <vector>

#include "mpi_shim/rma/data_layout.hpp"
#include "mpi_shim/rma/remote_memory.hpp"
#include "mpi_shim/rma/window.hpp"

namespace ferry::mpi::rma {

struct TargetAccess {
  Target* target = nullptr;  ///< nullptr for MPI_PROC_NULL (the operation does nothing)
  uint64_t address = 0;      ///< of the displacement in the target's memory
  ucp_rkey_h key = nullptr;  ///< opens the target's memory the blocks are in
  Blocks blocks;
  size_t bytes = 0;
};

/// Checks an operation's target arguments and finds its blocks; returns an MPI error
/// class, or MPI_SUCCESS with `access` filled in.
int find_target(Window& window, int rank, MPI_Aint disp, int count, MPI_Datatype type, TargetAccess& access);

/// Checks the origin's count and type.
int check_origin(int count, MPI_Datatype type);

/// Copies packed bytes to / from the target's blocks.
void write_blocks(const TargetAccess& access, const std::byte* packed,
                  LocalCompletion completion = LocalCompletion::on_return);
void read_blocks(const TargetAccess& access, std::byte* packed, LocalCompletion completion = LocalCompletion::on_return);

/// An MPI request that is already complete, for the request-based operations (which
/// finish their local part before they return).
void complete_request(Window& window, MPI_Request* request);

}  // namespace ferry::mpi::rma
