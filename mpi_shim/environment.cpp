// MPI_Init / MPI_Finalize / MPI_Abort and the thread-level queries: where a rank joins or
// leaves the hybrid world.

#include <mpi.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <exception>
#include <string>

#include "mpi_shim/bootstrap.hpp"
#include "mpi_shim/communicator.hpp"
#include "mpi_shim/dynamic/naming.hpp"
#include "mpi_shim/errors.hpp"
#include "mpi_shim/job_settings.hpp"
#include "mpi_shim/node_topology.hpp"
#include "mpi_shim/session_base.hpp"
#include "mpi_shim/surface/fortran.hpp"
#include "mpi_shim/surface/implementations.hpp"
#include "mpi_shim/threads.hpp"
#include "mpi_shim/world.hpp"
#include "runtime/common/error.hpp"
#include "runtime/common/trace.hpp"

namespace ferry::mpi {

namespace {

/// This rank's name in the FERRY_TRACE timeline, from what its spawner or launcher says;
/// empty in a process that is not a rank (a shell the launcher started, say).
std::string traced_rank_name() {
  if (is_function_rank_environment()) {
    const char* rank = std::getenv("FERRY_RANK");
    return std::string("rank ") + (rank != nullptr ? rank : "?") + " (function)";
  }
  for (const char* variable : {"OMPI_COMM_WORLD_RANK", "SLURM_PROCID", "PMI_RANK"}) {
    if (const char* rank = std::getenv(variable)) return std::string("rank ") + rank + " (batch)";
  }
  return {};
}

/// A rank's first phase: the shim is loaded, before the program's main.
[[maybe_unused]] const bool traced_load = [] {
  if (!trace::enabled()) return false;
  const std::string name = traced_rank_name();
  if (name.empty()) return false;
  trace::set_process_name(name);
  trace::phase("shim loaded");
  return true;
}();

/// A function rank that leaves without MPI_Finalize would leave the others waiting for it.
void check_clean_exit(int status, void*) {
  const World& w = world();
  if (w.role != Role::function || !w.initialized || w.finalized || status != 0) return;
  std::fprintf(stderr, "ferry: rank %d: exited without calling MPI_Finalize\n", w.rank);
  std::fflush(stderr);
  ::_exit(1);
}

/// Gives a function rank its own session directory, and the node's topology there, before
/// PMPI_Init; a failure is reported once Open MPI is up (MPI_Abort needs it). A batch
/// rank's function ranks start only after PMPI_Init: a thread that leased and spawned while
/// Open MPI initialized raced its environment and memory hooks (a crash in getenv under
/// srun about one job in 30; "break adjusted to free malloc space" and a segfault under
/// mpirun, rarely).
std::string prepare() {
  try {
    if (is_function_rank_environment()) hand_topology_to_open_mpi(use_private_session_base());
  } catch (const std::exception& error) {
    return error.what();
  }
  return {};
}

int join_world(int status, const std::string& early_failure) {
  if (status != MPI_SUCCESS) return status;
  World& w = world();
  try {
    if (!early_failure.empty()) throw Error(Errc::invalid_argument, early_failure);
    if (is_function_rank_environment()) {
      start_function_rank();
      ::on_exit(check_clean_exit, nullptr);
    } else {
      start_batch_rank();
    }
  } catch (const std::exception& error) {
    abort_job(1, std::string("MPI_Init: ") + error.what());
  }
  fortran::learn_world_handle();
  w.initialized = true;
  return MPI_SUCCESS;
}

}  // namespace

}  // namespace ferry::mpi

using namespace ferry::mpi;

int ferry::mpi::impl::MPI_Init(int* argc, char*** argv) {
  ferry::trace::phase("MPI_Init entered");
  const std::string early_failure = prepare();
  int status;
  {
    ShimScope scope;
    status = PMPI_Init(argc, argv);
  }
  ferry::trace::phase("PMPI_Init returned");
  world().thread_level = MPI_THREAD_SINGLE;
  status = join_world(status, early_failure);
  ferry::trace::phase("MPI_Init returned");
  return status;
}

int ferry::mpi::impl::MPI_Init_thread(int* argc, char*** argv, int required, int* provided) {
  ferry::trace::phase("MPI_Init_thread entered");
  const std::string early_failure = prepare();
  int status;
  {
    ShimScope scope;
    status = PMPI_Init_thread(argc, argv, required, provided);
  }
  ferry::trace::phase("PMPI_Init_thread returned");
  if (status != MPI_SUCCESS) return status;
  status = join_world(status, early_failure);
  ferry::trace::phase("MPI_Init_thread returned");
  world().thread_level = *provided;
  if (world().hybrid() && *provided == MPI_THREAD_MULTIPLE) share_shim_between_threads();
  return status;
}

int ferry::mpi::impl::MPI_Query_thread(int* provided) {
  if (!world().hybrid()) return PMPI_Query_thread(provided);
  *provided = world().thread_level;
  return MPI_SUCCESS;
}

int ferry::mpi::impl::MPI_Finalize(void) {
  ferry::trace::phase("MPI_Finalize entered");
  World& w = world();
  if (w.hybrid() && !w.finalized) {
    try {
      finalize_hybrid_world();
    } catch (const std::exception& error) {
      abort_job(1, std::string("MPI_Finalize: ") + error.what());
    }
  }
  w.finalized = true;
  forget_names();
  ShimScope scope;
  const int status = PMPI_Finalize();
  remove_private_session_base();
  finish_function_ranks();
  ferry::trace::phase("MPI_Finalize returned");
  return status;
}

int ferry::mpi::impl::MPI_Abort(MPI_Comm comm, int errorcode) {
  if (!world().hybrid() || (hybrid(comm) == nullptr && world().role == Role::batch)) {
    if (world().role != Role::function) return PMPI_Abort(comm, errorcode);
  }
  abort_job(errorcode, "MPI_Abort was called with error code " + std::to_string(errorcode));
}
