#pragma once
// The job as this process sees it: its role, B batch ranks, F function ranks, and its
// rank in the hybrid MPI_COMM_WORLD.

#include <mpi.h>

#include <string>

namespace ferry::mpi {

enum class Role {
  passthrough,  ///< FERRY_FUNCTIONS unset or 0: every call goes straight to PMPI_*
  batch,        ///< started by mpirun/srun; owns some function ranks
  function,     ///< started by a spawner; an isolated Open MPI singleton
};

struct World {
  Role role = Role::passthrough;
  int batch_ranks = 0;     ///< B: ranks 0..B-1
  int function_ranks = 0;  ///< F: ranks B..B+F-1
  int rank = 0;            ///< this process's rank in the hybrid world
  /// This process's index in the transport's table of processes: its rank in a hybrid
  /// world; in a plain job that spawned or connected, the index it gave itself.
  int self = 0;
  /// A plain job (passthrough) that spawned or connected to other processes: it has a
  /// transport and shim communicators, but its MPI_COMM_WORLD stays Open MPI's.
  bool connected = false;
  bool initialized = false;
  bool finalized = false;
  int thread_level = MPI_THREAD_SINGLE;

  int size() const noexcept { return batch_ranks + function_ranks; }
  /// Whether the shim may own objects: a hybrid world, or a plain job that spawned or connected.
  bool hybrid() const noexcept { return initialized && (role != Role::passthrough || connected); }
  /// Whether MPI_COMM_WORLD is the shim's.
  bool hybrid_world() const noexcept { return initialized && role != Role::passthrough; }
  bool is_batch_rank(int world_rank) const noexcept { return world_rank < batch_ranks; }
};

// Both are read on every MPI call, so they are plain globals the calls inline; initial-exec
// makes the thread-local one load (the shim is loaded at start-up, preloaded or linked, so
// static TLS has room for it).
namespace detail {
extern constinit World world_instance __attribute__((visibility("hidden")));
extern constinit thread_local bool inside_shim __attribute__((tls_model("initial-exec")));
}  // namespace detail

inline World& world() noexcept { return detail::world_instance; }

/// True while the shim itself calls into Open MPI: MPI_* calls Open MPI makes from
/// inside a PMPI_* call (ROMIO, for one) must not be re-intercepted.
inline bool inside_shim() noexcept { return detail::inside_shim; }

/// Marks a scope in which the shim calls PMPI_* (see inside_shim).
class ShimScope {
 public:
  ShimScope() noexcept;
  ~ShimScope();
  ShimScope(const ShimScope&) = delete;
  ShimScope& operator=(const ShimScope&) = delete;

 private:
  bool outer_;
};

}  // namespace ferry::mpi
