#pragma once
// Processes known to have failed while the job goes on: spawned children that died while
// their parents handle errors (MPI_ERRORS_RETURN or their own handler on the
// intercommunicator). Operations that need a failed process end with an error instead
// of waiting for it: sends to it, receives from it, receives from MPI_ANY_SOURCE that
// were pending when it failed, and collectives on communicators that include it.
//
// The root of a spawn learns of a child's death from its spawn service (the executor's
// exit); it tells the other parents and the child's siblings with a notice.

#include <mpi.h>

#include <cstdint>
#include <vector>

#include "mpi_shim/transport.hpp"

namespace ferry::mpi {

struct Comm;

namespace detail {
extern uint64_t failures_noted __attribute__((visibility("hidden")));
extern bool failure_news_expected __attribute__((visibility("hidden")));
}  // namespace detail

/// How many failures this process knows of: 0 for almost every job, so one load tells
/// an operation it has nothing to check. Also the mark of "failed after this point".
inline uint64_t failures_noted() noexcept { return detail::failures_noted; }

/// The MPI error code for an operation that needs process `process`, if it failed after
/// the mark `since` (0: ever); MPI_SUCCESS otherwise.
int failure_code(int process, uint64_t since = 0);
/// The same for any process of `comm` (of both groups of an intercommunicator).
int comm_failure_code(const Comm& comm, uint64_t since = 0);

/// Waits in the job's mode until `done()` holds, unless a process of `comm` has failed or
/// fails first: MPI_SUCCESS, or the failure's code (what is still in flight is the
/// caller's to drop). The communicator is looked at again only when news of a failure came.
template <class Done>
int wait_unless_failed(const Comm& comm, Done&& done) {
  int failure = comm_failure_code(comm);
  if (failure != MPI_SUCCESS) return failure;
  uint64_t seen = failures_noted();
  transport().wait_until([&] {
    if (done()) return true;
    if (failures_noted() == seen) return false;
    seen = failures_noted();
    failure = comm_failure_code(comm);
    return failure != MPI_SUCCESS;
  });
  return failure;
}

/// Starts taking in failure notices (parents of a spawn and spawned children do).
void expect_failure_news();
/// The root of a spawn: whom to tell when a child of spawn `spawn` (the service's id)
/// fails; forget_spawn() when the spawn failed or its children are gone.
void watch_spawn(uint64_t spawn, std::vector<int> parents, std::vector<int> children);
void forget_spawn(uint64_t spawn);
/// Forgets everything before the transport goes (MPI_Finalize).
void stop_failure_news() noexcept;

/// Takes in what arrived: notices from other processes, and deaths the spawn service saw.
/// Part of the transport's background work, so any wait or poll brings the news in.
void take_failure_news();
inline void take_failure_news_if_expected() {
  if (detail::failure_news_expected) take_failure_news();
}

}  // namespace ferry::mpi
