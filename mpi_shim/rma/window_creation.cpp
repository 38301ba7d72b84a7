// Creating and freeing windows of hybrid communicators. Every member registers its memory
// and a control region with UCX, and the members exchange addresses, sizes, displacement
// units and packed remote keys, which each origin unpacks for its endpoint to each target.

#include <mpi.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>

#include "mpi_shim/communicator.hpp"
#include "mpi_shim/errors.hpp"
#include "mpi_shim/rma/dynamic_window.hpp"
#include "mpi_shim/rma/remote_memory.hpp"
#include "mpi_shim/rma/window.hpp"
#include "mpi_shim/rma/window_attributes.hpp"
#include "mpi_shim/rma/window_setup.hpp"
#include "mpi_shim/surface/implementations.hpp"
#include "mpi_shim/transport.hpp"

using namespace ferry::mpi;

namespace {

/// What a member publishes of itself; its packed keys follow it (data, control, directory).
struct Published {
  uint64_t base = 0;
  uint64_t size = 0;
  uint64_t control_base = 0;
  uint64_t directory_base = 0;
  int32_t disp_unit = 1;
  uint32_t data_key_length = 0;
  uint32_t control_key_length = 0;
  uint32_t directory_key_length = 0;
};

std::vector<std::byte> key_of(const std::unique_ptr<ferry::ucx::MemoryRegion>& region) {
  return region ? region->pack_remote_key() : std::vector<std::byte>{};
}

std::vector<std::byte> own_record(const Window& window) {
  Published mine;
  mine.base = reinterpret_cast<uintptr_t>(window.base);
  mine.size = uint64_t(window.size);
  mine.control_base = reinterpret_cast<uintptr_t>(window.control->data());
  mine.directory_base = window.directory ? reinterpret_cast<uintptr_t>(window.directory->data()) : 0;
  mine.disp_unit = window.disp_unit;
  std::vector<std::byte> record(sizeof mine);
  for (const auto* region : {&window.memory, &window.control, &window.directory}) {
    const std::vector<std::byte> key = key_of(*region);
    record.insert(record.end(), key.begin(), key.end());
    if (region == &window.memory) mine.data_key_length = uint32_t(key.size());
    if (region == &window.control) mine.control_key_length = uint32_t(key.size());
    if (region == &window.directory) mine.directory_key_length = uint32_t(key.size());
  }
  std::memcpy(record.data(), &mine, sizeof mine);
  return record;
}

/// Every member's record, padded to the longest one.
std::vector<std::byte> exchange_records(Comm& comm, std::vector<std::byte> mine, size_t& record_size) {
  const uint64_t my_size = mine.size();
  std::vector<uint64_t> sizes(size_t(comm.size()));
  allgather_bytes(comm, &my_size, sizeof my_size, sizes.data());
  record_size = size_t(*std::max_element(sizes.begin(), sizes.end()));
  mine.resize(record_size);
  std::vector<std::byte> all(record_size * size_t(comm.size()));
  allgather_bytes(comm, mine.data(), record_size, all.data());
  return all;
}

void learn_targets(Window& window) {
  Comm& comm = *window.comm;
  size_t record_size = 0;
  const std::vector<std::byte> all = exchange_records(comm, own_record(window), record_size);
  window.targets.resize(size_t(comm.size()));
  for (int rank = 0; rank < comm.size(); ++rank) {
    const std::byte* record = all.data() + size_t(rank) * record_size;
    Published published;
    std::memcpy(&published, record, sizeof published);
    Target& target = window.targets[size_t(rank)];
    target.world_rank = comm.world_rank(rank);
    target.endpoint = transport().endpoint(target.world_rank);
    target.base = published.base;
    target.size = published.size;
    target.disp_unit = published.disp_unit;
    target.control_base = published.control_base;
    if (published.data_key_length != 0) {
      target.data_key = std::make_unique<ferry::ucx::RemoteKey>(target.endpoint, record + sizeof published);
    }
    const std::byte* control_key = record + sizeof published + published.data_key_length;
    target.control_key = std::make_unique<ferry::ucx::RemoteKey>(target.endpoint, control_key);
    target.directory_base = published.directory_base;
    if (published.directory_key_length != 0) {
      target.directory_key = std::make_unique<ferry::ucx::RemoteKey>(
          target.endpoint, control_key + published.control_key_length);
    }
  }
}

/// Everything of a creation after the window's communicator: memory, control region, info
/// and what every member learns of the others.
void set_up(Window& window, void* base, MPI_Aint size, int disp_unit, int flavor, MPI_Info info);

int check_creation(MPI_Aint size, int disp_unit) {
  if (size < 0) return MPI_ERR_SIZE;
  if (disp_unit <= 0) return MPI_ERR_DISP;
  return MPI_SUCCESS;
}

}  // namespace

std::unique_ptr<Window> ferry::mpi::rma::create_window(Comm& creator, void* base, MPI_Aint size, int disp_unit, int flavor,
                                      MPI_Info info) {
  auto window = std::make_unique<Window>();
  window->comm_handle = create_comm(creator, creator.group.members);
  try {
    set_up(*window, base, size, disp_unit, flavor, info);
  } catch (...) {
    if (window->info != MPI_INFO_NULL) PMPI_Info_free(&window->info);
    impl::MPI_Comm_free(&window->comm_handle);
    throw;
  }
  remember_window(window.get());
  return window;
}

namespace {

void set_up(Window& window, void* base, MPI_Aint size, int disp_unit, int flavor, MPI_Info info) {
  window.comm = hybrid(window.comm_handle);
  window.disp_unit = disp_unit;
  window.flavor = flavor;
  window.size = size;
  const auto& context = transport().worker().context();
  if (flavor == MPI_WIN_FLAVOR_DYNAMIC) {
    window.directory = rma::make_directory(context);
  } else if (flavor == MPI_WIN_FLAVOR_ALLOCATE) {
    window.memory = ferry::ucx::MemoryRegion::allocate(context, size_t(size));
    window.base = size == 0 ? nullptr : window.memory->data();
  } else {
    window.base = base;
    if (size != 0) window.memory = ferry::ucx::MemoryRegion::map(context, base, size_t(size));
  }
  window.control = ferry::ucx::MemoryRegion::allocate(context, control_words * sizeof(uint64_t));
  std::memset(window.control->data(), 0, control_words * sizeof(uint64_t));
  if (info != MPI_INFO_NULL) {
    PMPI_Info_dup(info, &window.info);
  } else {
    PMPI_Info_create(&window.info);
  }
  learn_targets(window);
}

}  // namespace

int ferry::mpi::impl::MPI_Win_create(void* base, MPI_Aint size, int disp_unit, MPI_Info info, MPI_Comm comm,
                                     MPI_Win* win) {
  Comm* creator = hybrid(comm);
  if (const int code = check_creation(size, disp_unit)) return raise(creator, code, "MPI_Win_create");
  *win = handle_of(rma::create_window(*creator, base, size, disp_unit, MPI_WIN_FLAVOR_CREATE, info).release());
  return MPI_SUCCESS;
}

int ferry::mpi::impl::MPI_Win_allocate(MPI_Aint size, int disp_unit, MPI_Info info, MPI_Comm comm, void* baseptr,
                                       MPI_Win* win) {
  Comm* creator = hybrid(comm);
  if (const int code = check_creation(size, disp_unit)) return raise(creator, code, "MPI_Win_allocate");
  Window* window = rma::create_window(*creator, nullptr, size, disp_unit, MPI_WIN_FLAVOR_ALLOCATE, info).release();
  *static_cast<void**>(baseptr) = window->base;
  *win = handle_of(window);
  return MPI_SUCCESS;
}

int ferry::mpi::impl::MPI_Win_create_dynamic(MPI_Info info, MPI_Comm comm, MPI_Win* win) {
  *win = handle_of(rma::create_window(*hybrid(comm), nullptr, 0, 1, MPI_WIN_FLAVOR_DYNAMIC, info).release());
  return MPI_SUCCESS;
}

int ferry::mpi::impl::MPI_Win_free(MPI_Win* win) {
  Window* freed = hybrid(*win);
  if (const int code = rma::delete_window_attributes(*freed)) return raise(*freed, code, "MPI_Win_free");
  rma::flush_all();
  // Nobody may reach this member's memory once it is unregistered.
  if (const int code = impl::MPI_Barrier(freed->comm_handle)) return code;
  forget_window(freed);
  std::unique_ptr<Window> window(freed);
  window->targets.clear();
  window->memory.reset();
  window->control.reset();
  window->directory.reset();
  window->attached.clear();
  PMPI_Info_free(&window->info);
  impl::MPI_Comm_free(&window->comm_handle);
  *win = MPI_WIN_NULL;
  return MPI_SUCCESS;
}
