#pragma once
// Processes known to have failed while the job goes on: spawned children that died while
// their parents handle errors (MPI_ERRORS_RETURN or their own handler on the
// intercommunicator). Operations that need a failed process end with an error instead
// of waiting for it: sends to it, receives from it, receives from MPI_ANY_SOURCE that
// were pending when it failed, and collectives on communicators that include it.
//
// The root of a spawn learns of a child's death from its spawn service (the executor's
// exit); it tells the other parents and the child's siblings with a notice.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ferry::mpi {

struct Comm;
class Transfer;

namespace detail {
extern uint64_t failures_noted __attribute__((visibility("hidden")));
extern bool failure_news_expected __attribute__((visibility("hidden")));
}  // namespace detail

/// How many failures this process knows of: 0 for almost every job, so one load tells
/// an operation it has nothing to check. Also the mark of "failed after this point".
inline uint64_t failures_noted() noexcept { return detail::failures_noted; }

/// Records that process `process` (a transport index) failed, for `reason`.
void note_failure(int process, const std::string& reason);
/// The MPI error code for an operation that needs process `process`, if it failed after
/// the mark `since` (0: ever); MPI_SUCCESS otherwise.
int failure_code(int process, uint64_t since = 0);
/// The same for any process of `comm` (of both groups of an intercommunicator).
int comm_failure_code(const Comm& comm, uint64_t since = 0);

/// Waits for every transfer unless a process `comm` reaches fails first: MPI_SUCCESS,
/// or the failure's code (the transfers still in flight are the caller's to drop).
int wait_all_or_failure(Transfer* transfers, size_t count, const Comm& comm);

/// Starts taking in failure notices (parents of a spawn and spawned children do).
void expect_failure_news();
/// The root of a spawn: whom to tell when a child of spawn `spawn` (the service's id)
/// fails; forget_spawn() when the spawn failed or its children are gone.
void watch_spawn(uint64_t spawn, std::vector<int> parents, std::vector<int> children);
void forget_spawn(uint64_t spawn);
/// Forgets everything before the transport goes (MPI_Finalize).
void stop_failure_news() noexcept;
/// Tells each of `recipients` that `failed` failed, for `reason`.
void send_failure_notice(const std::vector<int>& recipients, int failed, const std::string& reason);

/// Takes in what arrived: notices from other processes, and deaths the spawn service saw.
/// Part of the transport's background work, so any wait or poll brings the news in.
void take_failure_news();
inline void take_failure_news_if_expected() {
  if (detail::failure_news_expected) take_failure_news();
}

}  // namespace ferry::mpi
