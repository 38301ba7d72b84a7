#pragma once
// The members of one side of a new intercommunicator, seen through the communicator they
// call from, native or hybrid: their processes in the transport's table and the
// collective steps that making the intercommunicator takes among them.

#include <mpi.h>

#include <cstddef>
#include <vector>

#include "mpi_shim/communicator.hpp"

namespace ferry::mpi {

/// Gives a plain job (no function ranks) a transport the first time it spawns or
/// connects; from then on the shim may own communicators in it (world().connected).
void connect_transport();

class LocalGroup {
 public:
  /// Collective over the members of `comm`: in a plain job, they learn each other's UCX
  /// worker addresses.
  explicit LocalGroup(MPI_Comm comm);
  /// The members of a hybrid communicator the user may not hold (an intercommunicator's local part).
  explicit LocalGroup(Comm& comm) noexcept
      : handle_(MPI_COMM_NULL), comm_(&comm), rank_(comm.rank), processes_(comm.group.members) {}

  int rank() const noexcept { return rank_; }
  int size() const noexcept { return int(processes_.size()); }
  /// The transport's index of each member, in rank order.
  const std::vector<int>& processes() const noexcept { return processes_; }
  /// The hybrid communicator, or nullptr for a native one.
  Comm* hybrid_comm() const noexcept { return comm_; }
  MPI_Comm handle() const noexcept { return handle_; }
  /// The error handler a communicator made from this one starts with.
  HeldErrhandler errhandler() const;

  /// `size` bytes of every member, in rank order.
  void allgather(const void* mine, size_t size, void* all);
  /// `data` of member `root`, any length, to every member.
  void bcast(std::vector<std::byte>& data, int root);

 private:
  MPI_Comm handle_;
  Comm* comm_;
  int rank_ = 0;
  std::vector<int> processes_;
};

}  // namespace ferry::mpi
