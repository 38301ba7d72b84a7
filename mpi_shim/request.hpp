#pragma once
// Requests of hybrid communicators: shim objects handed out as MPI_Request. Wait/Test
// and friends accept arrays that mix them with Open MPI's own requests.

#include <mpi.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "mpi_shim/datatype.hpp"
#include "mpi_shim/transfer.hpp"

namespace ferry::mpi {

struct Comm;
class Task;  // collectives/task.hpp

enum class SendMode { standard, synchronous, ready, buffered };

struct Request {
  enum class Kind { send, receive, collective, completed } kind = Kind::completed;
  /// Not a collective: testing it only looks (UCX completes sends and receives as it
  /// progresses; a completed request has nothing left to do).
  bool passive() const noexcept { return kind != Kind::collective; }
  bool persistent = false;
  bool active = false;    ///< started and not yet completed by Wait/Test
  bool complete = false;
  Comm* comm = nullptr;
  Transfer transfer;
  SendBuffer send;
  ReceiveBuffer receive;
  MPI_Status status{};
  std::unique_ptr<Task> task;  ///< nonblocking collectives
  std::vector<HeldType> held_types;  ///< the datatypes `task` uses
  // The arguments of a persistent request, to start it again.
  const void* buffer = nullptr;
  int count = 0;
  HeldType type;
  int peer = 0;
  int tag = 0;
  SendMode mode = SendMode::standard;
  bool receives = false;
  bool live = false;  ///< handed out and not yet freed
  bool shared = false;  ///< completed_send()'s request, which is never freed
  uint64_t failure_mark = 0;  ///< failures_noted() when last checked (process_failures.hpp)

  Request() = default;
  Request(const Request&) = delete;
  Request& operator=(const Request&) = delete;
  ~Request();
  /// Makes `target` the request's communicator, which stays alive (even if freed) until
  /// the request lets go of it.
  void bind(Comm* target) noexcept;
  /// Back to a fresh, unused request (for reuse by the pool).
  void reset() noexcept;
  /// Advances the request (after transport progress); true once complete.
  bool test();

 private:
  /// The error of a pending operation that needs a process that failed, or MPI_SUCCESS.
  int failed_peer_code();
};

/// The shim request behind `handle`, or nullptr for an Open MPI one (or MPI_REQUEST_NULL).
Request* shim_request(MPI_Request handle) noexcept;
MPI_Request handle_of(Request* request) noexcept;
/// Whether `handle` is that of a shim request that has been freed (a copy kept after
/// MPI_Wait or MPI_Request_free): the pool keeps its place, so it cannot name anything else.
bool stale_request(MPI_Request handle) noexcept;
/// The place in the pool of the shim request behind `handle`, which never changes (its
/// Fortran handle comes from it), or SIZE_MAX; and the live request at a place, or nullptr.
size_t shim_request_index(MPI_Request handle) noexcept;
Request* pooled_request(size_t index) noexcept;
/// Hands out a new request (registered so shim_request() finds it).
Request* new_request();
/// Frees a request and forgets its handle (the shared completed send stays).
void free_request(Request* request) noexcept;
/// The handle of every send that UCX completed as it started it: one request, always
/// complete, that completing or freeing leaves as it is (as Open MPI's pml/ucx does), so an
/// eager send makes, tests and frees no request of its own.
MPI_Request completed_send();

/// Hands a request whose handle the user gave up (MPI_Request_free, buffered sends) to
/// the shim, which completes and frees it in the background.
void detach(Request* request);
/// Completes what it can of the detached requests; true when none is left.
bool sweep_detached();
/// Advances every pending nonblocking collective and detached request (installed as the
/// transport's background work).
void progress_background();
/// Waits for `request` to complete (in the job's waiting mode).
void wait(Request& request);
/// Waits until every operation started on `comm` has completed, whether or not its
/// request was handed to the program (MPI_Comm_disconnect).
void complete_operations_on(Comm& comm);

/// Starts point-to-point operations on a hybrid communicator (no argument checks).
int start_send(Request& request, const void* buffer, int count, MPI_Datatype type, int dest, int tag,
               Comm& comm, SendMode mode);
int start_receive(Request& request, void* buffer, int count, MPI_Datatype type, int source, int tag, Comm& comm);

/// Makes `request` the send or receive whose transfer a blocking call started without one
/// and could not finish before a process failed, so that it ends like any other (a
/// receive needs its `receive` buffer set too, for the capacity).
void adopt_transfer(Request& request, Transfer transfer, Request::Kind kind, int peer, Comm& comm);

/// The status of a completed receive into `capacity` bytes; returns the bytes received.
size_t receive_outcome(const Transfer& transfer, size_t capacity, MPI_Status* status);

/// Starts a persistent request again with the arguments it was made with.
void start_persistent(Request& request);

/// A nonblocking collective's request: `task` runs as the request is tested.
/// A request on `comm` that is complete when handed out.
MPI_Request completed_request(Comm& comm);
MPI_Request start_collective(Comm& comm, std::unique_ptr<Task> task, std::vector<HeldType> held_types = {});

}  // namespace ferry::mpi
