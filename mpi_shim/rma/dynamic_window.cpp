#include "mpi_shim/rma/dynamic_window.hpp"

#include <mpi.h>

#include <atomic>
#include <cstring>
#include <vector>

#include "mpi_shim/communicator.hpp"
#include "mpi_shim/errors.hpp"
#include "mpi_shim/rma/remote_memory.hpp"
#include "mpi_shim/surface/implementations.hpp"
#include "mpi_shim/transport.hpp"
#include "runtime/common/error.hpp"

namespace ferry::mpi::rma {

namespace {

constexpr size_t directory_capacity = 64;
constexpr size_t key_capacity = 1024;

struct DirectoryHeader {
  uint64_t generation = 0;  ///< changes with every attach and detach
  uint64_t count = 0;
};

struct DirectoryEntry {
  uint64_t base = 0;
  uint64_t size = 0;
  uint64_t key_length = 0;
  std::byte key[key_capacity];
};

constexpr size_t directory_bytes = sizeof(DirectoryHeader) + directory_capacity * sizeof(DirectoryEntry);

DirectoryHeader& header_of(Window& window) { return *static_cast<DirectoryHeader*>(window.directory->data()); }

DirectoryEntry* entries_of(Window& window) {
  return reinterpret_cast<DirectoryEntry*>(static_cast<std::byte*>(window.directory->data()) + sizeof(DirectoryHeader));
}

/// Rewrites this member's directory from its attached regions. Origins read it only after
/// the user's own synchronization, so the generation is written last.
void publish(Window& window) {
  DirectoryHeader& header = header_of(window);
  DirectoryEntry* entries = entries_of(window);
  for (size_t i = 0; i < window.attached.size(); ++i) {
    const ucx::MemoryRegion& region = *window.attached[i];
    const std::vector<std::byte> key = region.pack_remote_key();
    if (key.size() > key_capacity) throw Error(Errc::no_resources, "a remote key too long for the window directory");
    entries[i].base = reinterpret_cast<uintptr_t>(region.data());
    entries[i].size = region.size();
    entries[i].key_length = key.size();
    std::memcpy(entries[i].key, key.data(), key.size());
  }
  header.count = window.attached.size();
  std::atomic_thread_fence(std::memory_order_release);
  header.generation = header.generation + 1;
}

void read_directory(Target& target) {
  DirectoryHeader header;
  get(target, target.directory_key->raw(), &header, sizeof header, target.directory_base);
  if (header.generation == target.directory_generation) return;
  std::vector<DirectoryEntry> entries(header.count);
  get(target, target.directory_key->raw(), entries.data(), entries.size() * sizeof(DirectoryEntry),
      target.directory_base + sizeof header);
  target.regions.clear();
  for (const DirectoryEntry& entry : entries) {
    target.regions.push_back({entry.base, entry.size, std::make_unique<ucx::RemoteKey>(target.endpoint, entry.key)});
  }
  target.directory_generation = header.generation;
}

}  // namespace

std::unique_ptr<ucx::MemoryRegion> make_directory(const std::shared_ptr<ucx::Context>& context) {
  auto directory = ucx::MemoryRegion::allocate(context, directory_bytes);
  std::memset(directory->data(), 0, directory_bytes);
  return directory;
}

const RemoteRegion* attached_region(Target& target, uint64_t low, uint64_t high) {
  read_directory(target);
  for (const RemoteRegion& region : target.regions) {
    if (low >= region.base && high <= region.base + region.size) return &region;
  }
  return nullptr;
}

}  // namespace ferry::mpi::rma

using namespace ferry::mpi;

int ferry::mpi::impl::MPI_Win_attach(MPI_Win win, void* base, MPI_Aint size) {
  Window& window = *hybrid(win);
  if (window.flavor != MPI_WIN_FLAVOR_DYNAMIC) return raise(window, MPI_ERR_RMA_FLAVOR, "MPI_Win_attach");
  if (size < 0) return raise(window, MPI_ERR_SIZE, "MPI_Win_attach");
  if (size == 0) return MPI_SUCCESS;
  if (window.attached.size() == rma::directory_capacity) {
    return raise(window, MPI_ERR_RMA_ATTACH, "MPI_Win_attach", "too many regions attached");
  }
  window.attached.push_back(ucx::MemoryRegion::map(transport().worker().context(), base, size_t(size)));
  rma::publish(window);
  return MPI_SUCCESS;
}

int ferry::mpi::impl::MPI_Win_detach(MPI_Win win, const void* base) {
  Window& window = *hybrid(win);
  if (window.flavor != MPI_WIN_FLAVOR_DYNAMIC) return raise(window, MPI_ERR_RMA_FLAVOR, "MPI_Win_detach");
  for (auto region = window.attached.begin(); region != window.attached.end(); ++region) {
    if ((*region)->data() == base) {
      window.attached.erase(region);
      rma::publish(window);
      return MPI_SUCCESS;
    }
  }
  return raise(window, MPI_ERR_RMA_RANGE, "MPI_Win_detach", "no region is attached at that address");
}
