#include "mpi_shim/dynamic/local_group.hpp"

#include <cstdint>
#include <cstring>

#include "mpi_shim/collectives/algorithms.hpp"
#include "mpi_shim/job_settings.hpp"
#include "mpi_shim/request.hpp"
#include "mpi_shim/threads.hpp"
#include "mpi_shim/transport.hpp"
#include "mpi_shim/world.hpp"
#include "runtime/common/error.hpp"

namespace ferry::mpi {

void connect_transport() {
  World& w = world();
  if (w.hybrid()) return;
  int rank = 0, size = 0;
  PMPI_Comm_rank(MPI_COMM_WORLD, &rank);
  PMPI_Comm_size(MPI_COMM_WORLD, &size);
  install_transport(std::make_unique<Transport>(read_job_settings().mode, size));
  transport().set_background(progress_background);
  transport().set_addresses(std::vector<std::vector<std::byte>>(size_t(size)));
  transport().set_address(rank, transport().address());
  w.rank = rank;
  w.self = rank;
  w.connected = true;
  if (w.thread_level == MPI_THREAD_MULTIPLE) share_shim_between_threads();
}

LocalGroup::LocalGroup(MPI_Comm comm) : handle_(comm), comm_(hybrid(comm)) {
  if (comm_ != nullptr) {
    rank_ = comm_->rank;
    processes_ = comm_->group.members;
    return;
  }
  PMPI_Comm_rank(comm, &rank_);
  int size = 0;
  PMPI_Comm_size(comm, &size);
  if (world().role != Role::passthrough) {
    MPI_Group group = MPI_GROUP_NULL;
    PMPI_Comm_group(comm, &group);
    processes_ = members_of(group);
    PMPI_Group_free(&group);
    return;
  }
  // A plain job: each member tells the others its native rank and its address.
  std::vector<std::byte> mine(sizeof(int32_t));
  const int32_t own = world().self;
  std::memcpy(mine.data(), &own, sizeof own);
  const std::vector<std::byte>& address = transport().address_of(world().self);
  mine.insert(mine.end(), address.begin(), address.end());
  const int length = int(mine.size());
  std::vector<int> lengths(static_cast<size_t>(size)), offsets(static_cast<size_t>(size));
  PMPI_Allgather(&length, 1, MPI_INT, lengths.data(), 1, MPI_INT, comm);
  int total = 0;
  for (int i = 0; i < size; ++i) {
    offsets[size_t(i)] = total;
    total += lengths[size_t(i)];
  }
  std::vector<std::byte> all(static_cast<size_t>(total));
  PMPI_Allgatherv(mine.data(), length, MPI_BYTE, all.data(), lengths.data(), offsets.data(), MPI_BYTE, comm);
  for (int i = 0; i < size; ++i) {
    const std::byte* entry = all.data() + offsets[size_t(i)];
    int32_t process = 0;
    std::memcpy(&process, entry, sizeof process);
    transport().set_address(process, std::vector<std::byte>(entry + sizeof process, entry + lengths[size_t(i)]));
    processes_.push_back(process);
  }
}

HeldErrhandler LocalGroup::errhandler() const {
  if (comm_ != nullptr) return comm_->errhandler;
  MPI_Errhandler native = MPI_ERRHANDLER_NULL;
  PMPI_Comm_get_errhandler(handle_, &native);
  HeldErrhandler held(native);
  PMPI_Errhandler_free(&native);
  return held;
}

void LocalGroup::allgather(const void* mine, size_t size, void* all) {
  if (comm_ != nullptr) {
    allgather_bytes(*comm_, mine, size, all);
    return;
  }
  PMPI_Allgather(mine, int(size), MPI_BYTE, all, int(size), MPI_BYTE, handle_);
}

void LocalGroup::bcast(std::vector<std::byte>& data, int root) {
  uint64_t length = data.size();
  if (comm_ == nullptr) {
    PMPI_Bcast(&length, 1, MPI_UINT64_T, root, handle_);
    data.resize(length);
    PMPI_Bcast(data.data(), int(length), MPI_BYTE, root, handle_);
    return;
  }
  Task size_task = bcast_task(Channel::open(*comm_), &length, 1, MPI_UINT64_T, root);
  if (run(size_task) != MPI_SUCCESS) throw Error(Errc::transport, "broadcast failed: " + size_task.detail());
  data.resize(length);
  Task data_task = bcast_task(Channel::open(*comm_), data.data(), int(length), MPI_BYTE, root);
  if (run(data_task) != MPI_SUCCESS) throw Error(Errc::transport, "broadcast failed: " + data_task.detail());
}

}  // namespace ferry::mpi
