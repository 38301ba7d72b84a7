#pragma once
// Dynamic windows (MPI_Win_create_dynamic): each member keeps a directory of the regions
// it attached in registered memory, with their packed remote keys; an origin reads a
// target's directory with UCX whenever its generation has changed since the last read.

#include <cstddef>
#include <cstdint>
#include <memory>

#include "mpi_shim/rma/window.hpp"
#include "runtime/ucx/context.hpp"

namespace ferry::mpi::rma {

/// A registered, zeroed directory with room for every region a member may attach.
std::unique_ptr<ucx::MemoryRegion> make_directory(const std::shared_ptr<ucx::Context>& context);

/// The region attached at `target` that holds [low, high), or nullptr.
const RemoteRegion* attached_region(Target& target, uint64_t low, uint64_t high);

}  // namespace ferry::mpi::rma
