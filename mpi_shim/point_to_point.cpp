// MPI point-to-point calls on hybrid communicators: every message is one UCX tagged
// message, so UCX does eager or rendezvous and keeps the order between a pair.

#include <mpi.h>

#include <cstring>

#include "mpi_shim/collectives/task.hpp"
#include "mpi_shim/communicator.hpp"
#include "mpi_shim/dynamic/process_failures.hpp"
#include "mpi_shim/errors.hpp"
#include "mpi_shim/request.hpp"
#include "mpi_shim/surface/implementations.hpp"
#include "mpi_shim/tags.hpp"
#include "mpi_shim/transport.hpp"
#include "mpi_shim/world.hpp"

namespace ferry::mpi {

namespace {

size_t attached_bytes = 0;

int check_arguments(Comm& comm, const void* buffer, int count, MPI_Datatype type, int peer, int tag, bool receiving) {
  if (count < 0) return MPI_ERR_COUNT;
  if (int error = type_error(type)) return error;
  const bool any_source = receiving && peer == MPI_ANY_SOURCE;
  if (peer != MPI_PROC_NULL && !any_source && (peer < 0 || peer >= comm.peer_count())) return MPI_ERR_RANK;
  const bool any_tag = receiving && tag == MPI_ANY_TAG;
  if (!any_tag && (tag < 0 || tag > max_user_tag)) return MPI_ERR_TAG;
  return buffer_error(buffer, count, type);
}

/// A buffered send needs room in the buffer given to MPI_Buffer_attach.
int check_buffer_space(int count, MPI_Datatype type, SendMode mode) {
  if (mode != SendMode::buffered) return MPI_SUCCESS;
  return layout_of(count, type).bytes + MPI_BSEND_OVERHEAD > attached_bytes ? MPI_ERR_BUFFER : MPI_SUCCESS;
}

/// Runs a blocking operation (a request of its own, never handed out) to completion and
/// reports its status.
int finish_blocking(Request& request, MPI_Status* status, Comm& comm, const char* function) {
  wait(request);
  const MPI_Status result = request.status;
  deliver_status(status, result, Completion::single);
  return result.MPI_ERROR == MPI_SUCCESS ? MPI_SUCCESS : raise(&comm, result.MPI_ERROR, function);
}

// Blocking sends and receives of contiguous data are the latency path: they make no
// Request unless a process fails while they wait, so a small message costs the UCX call,
// the tests of its completion and nothing else.

/// Whether a blocking call may take the latency path.
bool direct(int peer, const Layout& layout) noexcept {
  return layout.contiguous && peer != MPI_PROC_NULL && failures_noted() == 0;
}

/// Waits for a transfer of a blocking call while no process has failed; false when one has
/// (the transfer may still be in flight).
bool wait_while_no_failure(Transfer& transfer) {
  if (transfer.test()) return true;
  transport().wait_until([&] { return transfer.test() || failures_noted() != 0; });
  return transfer.test();
}

/// Starts the UCX send of contiguous data straight from the user's buffer.
Transfer send_contiguous(const void* buffer, const Layout& layout, int dest, int tag, Comm& comm, bool synchronous) {
  return Transfer::send(comm.peer(dest), user_tag(tag, comm.rank, comm.send_context()),
                        static_cast<const std::byte*>(buffer) + layout.true_lb, layout.bytes, synchronous);
}

int direct_send(const void* buffer, const Layout& layout, int dest, int tag, Comm& comm, SendMode mode,
                const char* function) {
  Transfer transfer = send_contiguous(buffer, layout, dest, tag, comm, mode == SendMode::synchronous);
  if (!wait_while_no_failure(transfer)) {
    Request request;
    adopt_transfer(request, std::move(transfer), Request::Kind::send, dest, comm);
    return finish_blocking(request, MPI_STATUS_IGNORE, comm, function);
  }
  const int error = error_class_of(transfer.status());
  return error == MPI_SUCCESS ? MPI_SUCCESS : raise(&comm, error, function);
}

/// A nonblocking send of contiguous data: a small one UCX sends as it starts it, and the
/// caller gets the shared completed request; a request is made only for one in flight.
int eager_send(const void* buffer, const Layout& layout, int dest, int tag, Comm& comm, MPI_Request* out) {
  Transfer transfer = send_contiguous(buffer, layout, dest, tag, comm, false);
  if (transfer.test() && transfer.status() == UCS_OK) {
    *out = completed_send();
    return MPI_SUCCESS;
  }
  Request* request = new_request();
  adopt_transfer(*request, std::move(transfer), Request::Kind::send, dest, comm);
  *out = handle_of(request);
  return MPI_SUCCESS;
}

int direct_receive(void* buffer, int count, MPI_Datatype type, const Layout& layout, int source, int tag, Comm& comm,
                   MPI_Status* status) {
  const bool any_source = source == MPI_ANY_SOURCE, any_tag = tag == MPI_ANY_TAG;
  Transfer transfer = Transfer::receive(user_tag(any_tag ? 0 : tag, any_source ? 0 : source, comm.context_id),
                                        user_mask(any_source, any_tag),
                                        static_cast<std::byte*>(buffer) + layout.true_lb, layout.bytes);
  if (!wait_while_no_failure(transfer)) {
    Request request;
    adopt_transfer(request, std::move(transfer), Request::Kind::receive, source, comm);
    request.receive = ReceiveBuffer(buffer, count, type);
    return finish_blocking(request, status, comm, "MPI_Recv");
  }
  MPI_Status outcome;
  receive_outcome(transfer, layout.bytes, &outcome);
  deliver_status(status, outcome, Completion::single);
  return outcome.MPI_ERROR == MPI_SUCCESS ? MPI_SUCCESS : raise(&comm, outcome.MPI_ERROR, "MPI_Recv");
}

int blocking_send(const void* buffer, int count, MPI_Datatype type, int dest, int tag, MPI_Comm handle,
                  SendMode mode, const char* function) {
  Comm* comm = hybrid(handle);
  if (int error = check_arguments(*comm, buffer, count, type, dest, tag, false)) return raise(comm, error, function);
  if (int error = check_buffer_space(count, type, mode)) return raise(comm, error, function);
  if (mode == SendMode::buffered) {
    Request* request = new_request();
    start_send(*request, buffer, count, type, dest, tag, *comm, mode);
    detach(request);
    return MPI_SUCCESS;
  }
  if (const Layout layout = layout_of(count, type); direct(dest, layout)) {
    return direct_send(buffer, layout, dest, tag, *comm, mode, function);
  }
  Request request;
  start_send(request, buffer, count, type, dest, tag, *comm, mode);
  return finish_blocking(request, MPI_STATUS_IGNORE, *comm, function);
}

int nonblocking_send(const void* buffer, int count, MPI_Datatype type, int dest, int tag, MPI_Comm handle,
                     MPI_Request* out, SendMode mode, const char* function) {
  Comm* comm = hybrid(handle);
  if (out == nullptr) return raise(comm, MPI_ERR_REQUEST, function);
  if (int error = check_arguments(*comm, buffer, count, type, dest, tag, false)) return raise(comm, error, function);
  if (int error = check_buffer_space(count, type, mode)) return raise(comm, error, function);
  if (mode == SendMode::standard || mode == SendMode::ready) {
    if (const Layout layout = layout_of(count, type); direct(dest, layout)) {
      return eager_send(buffer, layout, dest, tag, *comm, out);
    }
  }
  Request* request = new_request();
  start_send(*request, buffer, count, type, dest, tag, *comm, mode);
  if (mode == SendMode::buffered) {
    // The data is copied: the user's request completes now, the transfer in the background.
    detach(request);
    request = new_request();
    request->active = true;
    request->complete = true;
    request->bind(comm);
    set_status(&request->status, MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_SUCCESS, 0);
  }
  *out = handle_of(request);
  return MPI_SUCCESS;
}

int persistent_send(const void* buffer, int count, MPI_Datatype type, int dest, int tag, MPI_Comm handle,
                    MPI_Request* out, SendMode mode, const char* function) {
  Comm* comm = hybrid(handle);
  if (out == nullptr) return raise(comm, MPI_ERR_REQUEST, function);
  if (int error = check_arguments(*comm, buffer, count, type, dest, tag, false)) return raise(comm, error, function);
  Request* request = new_request();
  request->persistent = true;
  request->kind = Request::Kind::send;
  request->bind(comm);
  request->buffer = buffer;
  request->count = count;
  request->type = HeldType(type);
  request->peer = dest;
  request->tag = tag;
  request->mode = mode;
  *out = handle_of(request);
  return MPI_SUCCESS;
}

}  // namespace

}  // namespace ferry::mpi

using namespace ferry::mpi;

int ferry::mpi::impl::MPI_Send(const void* buf, int count, MPI_Datatype type, int dest, int tag, MPI_Comm comm) {
  return blocking_send(buf, count, type, dest, tag, comm, SendMode::standard, "MPI_Send");
}

int ferry::mpi::impl::MPI_Ssend(const void* buf, int count, MPI_Datatype type, int dest, int tag, MPI_Comm comm) {
  return blocking_send(buf, count, type, dest, tag, comm, SendMode::synchronous, "MPI_Ssend");
}

int ferry::mpi::impl::MPI_Rsend(const void* buf, int count, MPI_Datatype type, int dest, int tag, MPI_Comm comm) {
  return blocking_send(buf, count, type, dest, tag, comm, SendMode::ready, "MPI_Rsend");
}

int ferry::mpi::impl::MPI_Bsend(const void* buf, int count, MPI_Datatype type, int dest, int tag, MPI_Comm comm) {
  return blocking_send(buf, count, type, dest, tag, comm, SendMode::buffered, "MPI_Bsend");
}

int ferry::mpi::impl::MPI_Isend(const void* buf, int count, MPI_Datatype type, int dest, int tag, MPI_Comm comm,
                                MPI_Request* request) {
  return nonblocking_send(buf, count, type, dest, tag, comm, request, SendMode::standard, "MPI_Isend");
}

int ferry::mpi::impl::MPI_Issend(const void* buf, int count, MPI_Datatype type, int dest, int tag, MPI_Comm comm,
                                 MPI_Request* request) {
  return nonblocking_send(buf, count, type, dest, tag, comm, request, SendMode::synchronous, "MPI_Issend");
}

int ferry::mpi::impl::MPI_Irsend(const void* buf, int count, MPI_Datatype type, int dest, int tag, MPI_Comm comm,
                                 MPI_Request* request) {
  return nonblocking_send(buf, count, type, dest, tag, comm, request, SendMode::ready, "MPI_Irsend");
}

int ferry::mpi::impl::MPI_Ibsend(const void* buf, int count, MPI_Datatype type, int dest, int tag, MPI_Comm comm,
                                 MPI_Request* request) {
  return nonblocking_send(buf, count, type, dest, tag, comm, request, SendMode::buffered, "MPI_Ibsend");
}

int ferry::mpi::impl::MPI_Send_init(const void* buf, int count, MPI_Datatype type, int dest, int tag, MPI_Comm comm,
                  MPI_Request* request) {
  return persistent_send(buf, count, type, dest, tag, comm, request, SendMode::standard, "MPI_Send_init");
}

int ferry::mpi::impl::MPI_Ssend_init(const void* buf, int count, MPI_Datatype type, int dest, int tag, MPI_Comm comm,
                   MPI_Request* request) {
  return persistent_send(buf, count, type, dest, tag, comm, request, SendMode::synchronous, "MPI_Ssend_init");
}

int ferry::mpi::impl::MPI_Rsend_init(const void* buf, int count, MPI_Datatype type, int dest, int tag, MPI_Comm comm,
                   MPI_Request* request) {
  return persistent_send(buf, count, type, dest, tag, comm, request, SendMode::ready, "MPI_Rsend_init");
}

int ferry::mpi::impl::MPI_Bsend_init(const void* buf, int count, MPI_Datatype type, int dest, int tag, MPI_Comm comm,
                   MPI_Request* request) {
  return persistent_send(buf, count, type, dest, tag, comm, request, SendMode::buffered, "MPI_Bsend_init");
}

int ferry::mpi::impl::MPI_Recv(void* buf, int count, MPI_Datatype type, int source, int tag, MPI_Comm handle,
                               MPI_Status* status) {
  Comm* comm = hybrid(handle);
  if (int error = check_arguments(*comm, buf, count, type, source, tag, true)) return raise(comm, error, "MPI_Recv");
  if (const Layout layout = layout_of(count, type); direct(source, layout)) {
    return direct_receive(buf, count, type, layout, source, tag, *comm, status);
  }
  Request request;
  start_receive(request, buf, count, type, source, tag, *comm);
  return finish_blocking(request, status, *comm, "MPI_Recv");
}

int ferry::mpi::impl::MPI_Irecv(void* buf, int count, MPI_Datatype type, int source, int tag, MPI_Comm handle,
                                MPI_Request* out) {
  Comm* comm = hybrid(handle);
  if (out == nullptr) return raise(comm, MPI_ERR_REQUEST, "MPI_Irecv");
  if (int error = check_arguments(*comm, buf, count, type, source, tag, true)) return raise(comm, error, "MPI_Irecv");
  Request* request = new_request();
  start_receive(*request, buf, count, type, source, tag, *comm);
  *out = handle_of(request);
  return MPI_SUCCESS;
}

int ferry::mpi::impl::MPI_Recv_init(void* buf, int count, MPI_Datatype type, int source, int tag, MPI_Comm handle,
                                    MPI_Request* out) {
  Comm* comm = hybrid(handle);
  if (out == nullptr) return raise(comm, MPI_ERR_REQUEST, "MPI_Recv_init");
  if (int error = check_arguments(*comm, buf, count, type, source, tag, true)) {
    return raise(comm, error, "MPI_Recv_init");
  }
  Request* request = new_request();
  request->persistent = true;
  request->receives = true;
  request->kind = Request::Kind::receive;
  request->bind(comm);
  request->buffer = buf;
  request->count = count;
  request->type = HeldType(type);
  request->peer = source;
  request->tag = tag;
  *out = handle_of(request);
  return MPI_SUCCESS;
}

int ferry::mpi::impl::MPI_Sendrecv(const void* sendbuf, int sendcount, MPI_Datatype sendtype, int dest, int sendtag,
                                   void* recvbuf, int recvcount, MPI_Datatype recvtype, int source, int recvtag,
                                   MPI_Comm handle, MPI_Status* status) {
  Comm* comm = hybrid(handle);
  if (int error = check_arguments(*comm, sendbuf, sendcount, sendtype, dest, sendtag, false)) {
    return raise(comm, error, "MPI_Sendrecv");
  }
  if (int error = check_arguments(*comm, recvbuf, recvcount, recvtype, source, recvtag, true)) {
    return raise(comm, error, "MPI_Sendrecv");
  }
  Request receive;
  start_receive(receive, recvbuf, recvcount, recvtype, source, recvtag, *comm);
  Request send;
  start_send(send, sendbuf, sendcount, sendtype, dest, sendtag, *comm, SendMode::standard);
  wait(send);
  const int send_error = send.status.MPI_ERROR;
  const int receive_error = finish_blocking(receive, status, *comm, "MPI_Sendrecv");
  if (receive_error != MPI_SUCCESS) return receive_error;
  return send_error == MPI_SUCCESS ? MPI_SUCCESS : raise(comm, send_error, "MPI_Sendrecv");
}

int ferry::mpi::impl::MPI_Sendrecv_replace(void* buf, int count, MPI_Datatype type, int dest, int sendtag, int source,
                                           int recvtag, MPI_Comm handle, MPI_Status* status) {
  Comm* comm = hybrid(handle);
  if (int error = check_arguments(*comm, buf, count, type, dest, sendtag, false)) {
    return raise(comm, error, "MPI_Sendrecv_replace");
  }
  if (int error = check_arguments(*comm, buf, count, type, source, recvtag, true)) {
    return raise(comm, error, "MPI_Sendrecv_replace");
  }
  Request send;
  start_send(send, buf, count, type, dest, sendtag, *comm, SendMode::buffered);  // copies buf first
  Request receive;
  start_receive(receive, buf, count, type, source, recvtag, *comm);
  wait(send);
  return finish_blocking(receive, status, *comm, "MPI_Sendrecv_replace");
}

int ferry::mpi::impl::MPI_Buffer_attach(void* buffer, int size) {
  const int result = PMPI_Buffer_attach(buffer, size);
  if (result == MPI_SUCCESS) attached_bytes = size_t(size);
  return result;
}

int ferry::mpi::impl::MPI_Buffer_detach(void* buffer_address, int* size) {
  if (world().hybrid() && !sweep_detached()) transport().wait_until([] { return sweep_detached(); });
  attached_bytes = 0;
  return PMPI_Buffer_detach(buffer_address, size);
}
