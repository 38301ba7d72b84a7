// Probes and matched probes on hybrid communicators, on UCX's unexpected-message queue.

#include <mpi.h>

#include <memory>
#include <unordered_map>

#include "mpi_shim/communicator.hpp"
#include "mpi_shim/dynamic/process_failures.hpp"
#include "mpi_shim/errors.hpp"
#include "mpi_shim/request.hpp"
#include "mpi_shim/surface/fortran.hpp"
#include "mpi_shim/surface/implementations.hpp"
#include "mpi_shim/tags.hpp"
#include "mpi_shim/transport.hpp"
#include "mpi_shim/world.hpp"

namespace ferry::mpi {

namespace {

/// Probes complete no request: they leave MPI_ERROR as the caller had it.
void set_probe_status(MPI_Status* status, int source, int tag, int error, size_t bytes) {
  MPI_Status probed{};
  set_status(&probed, source, tag, error, bytes);
  deliver_status(status, probed, Completion::single);
}

/// A message taken off the matching queue by MPI_Mprobe / MPI_Improbe.
struct Message {
  ucp_tag_message_h handle = nullptr;
  ucp_tag_recv_info_t info{};
  Comm* comm = nullptr;
};
std::unordered_map<const void*, std::unique_ptr<Message>> messages;

Message* shim_message(MPI_Message handle) {
  if (!world().hybrid() || messages.empty()) return nullptr;
  const auto found = messages.find(handle);
  return found == messages.end() ? nullptr : found->second.get();
}

}  // namespace

bool is_shim_message(MPI_Message handle) noexcept { return shim_message(handle) != nullptr; }

namespace {

int check_probe(Comm& comm, int source, int tag) {
  if (source != MPI_ANY_SOURCE && source != MPI_PROC_NULL && (source < 0 || source >= comm.peer_count())) return MPI_ERR_RANK;
  if (tag != MPI_ANY_TAG && (tag < 0 || tag > max_user_tag)) return MPI_ERR_TAG;
  return MPI_SUCCESS;
}

/// One look at the unexpected queue; `remove` takes the message off it.
ucp_tag_message_h probe_once(Comm& comm, int source, int tag, bool remove, ucp_tag_recv_info_t& info) {
  const bool any_source = source == MPI_ANY_SOURCE, any_tag = tag == MPI_ANY_TAG;
  return ucp_tag_probe_nb(transport().worker().raw(),
                          user_tag(any_tag ? 0 : tag, any_source ? 0 : source, comm.context_id),
                          user_mask(any_source, any_tag), remove ? 1 : 0, &info);
}

/// Waits for a matching message; nothing when a process it could come from failed first
/// (`failure` receives the code).
ucp_tag_message_h probe_blocking(Comm& comm, int source, int tag, bool remove, ucp_tag_recv_info_t& info,
                                 int& failure) {
  const uint64_t since = failures_noted();
  failure = MPI_SUCCESS;
  if (since != 0 && source != MPI_ANY_SOURCE) failure = failure_code(comm.peer(source));
  ucp_tag_message_h found = failure == MPI_SUCCESS ? probe_once(comm, source, tag, remove, info) : nullptr;
  if (found == nullptr && failure == MPI_SUCCESS) {
    transport().wait_until([&] {
      found = probe_once(comm, source, tag, remove, info);
      if (found != nullptr || failures_noted() == since) return found != nullptr;
      failure = source == MPI_ANY_SOURCE ? comm_failure_code(comm, since) : failure_code(comm.peer(source));
      return failure != MPI_SUCCESS;
    });
  }
  return found;
}

void status_of(const ucp_tag_recv_info_t& info, MPI_Status* status) {
  set_probe_status(status, source_of(info.sender_tag), tag_of(info.sender_tag), MPI_SUCCESS, info.length);
}

MPI_Message keep(Comm& comm, ucp_tag_message_h handle, const ucp_tag_recv_info_t& info) {
  auto message = std::make_unique<Message>(Message{handle, info, &comm});
  Message* raw = message.get();
  messages.emplace(raw, std::move(message));
  return reinterpret_cast<MPI_Message>(raw);
}

}  // namespace

}  // namespace ferry::mpi

using namespace ferry::mpi;

int ferry::mpi::impl::MPI_Probe(int source, int tag, MPI_Comm handle, MPI_Status* status) {
  Comm* comm = hybrid(handle);
  if (int error = check_probe(*comm, source, tag)) return raise(comm, error, "MPI_Probe");
  if (source == MPI_PROC_NULL) {
    set_probe_status(status, MPI_PROC_NULL, MPI_ANY_TAG, MPI_SUCCESS, 0);
    return MPI_SUCCESS;
  }
  ucp_tag_recv_info_t info{};
  int failure = MPI_SUCCESS;
  probe_blocking(*comm, source, tag, false, info, failure);
  if (failure != MPI_SUCCESS) return raise(comm, failure, "MPI_Probe");
  status_of(info, status);
  return MPI_SUCCESS;
}

int ferry::mpi::impl::MPI_Iprobe(int source, int tag, MPI_Comm handle, int* flag, MPI_Status* status) {
  Comm* comm = hybrid(handle);
  if (int error = check_probe(*comm, source, tag)) return raise(comm, error, "MPI_Iprobe");
  if (source == MPI_PROC_NULL) {
    *flag = 1;
    set_probe_status(status, MPI_PROC_NULL, MPI_ANY_TAG, MPI_SUCCESS, 0);
    return MPI_SUCCESS;
  }
  transport().poll();
  ucp_tag_recv_info_t info{};
  *flag = probe_once(*comm, source, tag, false, info) != nullptr ? 1 : 0;
  if (*flag) {
    status_of(info, status);
  } else {
    // A message that can no longer come is an error, or a polling loop would spin forever.
    if (failures_noted() != 0 && source != MPI_ANY_SOURCE) {
      if (const int failure = failure_code(comm->peer(source)); failure != MPI_SUCCESS) {
        return raise(comm, failure, "MPI_Iprobe");
      }
    }
    transport().missed();
  }
  return MPI_SUCCESS;
}

int ferry::mpi::impl::MPI_Mprobe(int source, int tag, MPI_Comm handle, MPI_Message* message, MPI_Status* status) {
  Comm* comm = hybrid(handle);
  if (int error = check_probe(*comm, source, tag)) return raise(comm, error, "MPI_Mprobe");
  if (source == MPI_PROC_NULL) {
    *message = MPI_MESSAGE_NO_PROC;
    set_probe_status(status, MPI_PROC_NULL, MPI_ANY_TAG, MPI_SUCCESS, 0);
    return MPI_SUCCESS;
  }
  ucp_tag_recv_info_t info{};
  int failure = MPI_SUCCESS;
  ucp_tag_message_h found = probe_blocking(*comm, source, tag, true, info, failure);
  if (failure != MPI_SUCCESS) {
    *message = MPI_MESSAGE_NULL;
    return raise(comm, failure, "MPI_Mprobe");
  }
  *message = keep(*comm, found, info);
  status_of(info, status);
  return MPI_SUCCESS;
}

int ferry::mpi::impl::MPI_Improbe(int source, int tag, MPI_Comm handle, int* flag, MPI_Message* message,
                                  MPI_Status* status) {
  Comm* comm = hybrid(handle);
  if (int error = check_probe(*comm, source, tag)) return raise(comm, error, "MPI_Improbe");
  if (source == MPI_PROC_NULL) {
    *flag = 1;
    *message = MPI_MESSAGE_NO_PROC;
    set_probe_status(status, MPI_PROC_NULL, MPI_ANY_TAG, MPI_SUCCESS, 0);
    return MPI_SUCCESS;
  }
  transport().poll();
  ucp_tag_recv_info_t info{};
  ucp_tag_message_h found = probe_once(*comm, source, tag, true, info);
  *flag = found != nullptr ? 1 : 0;
  if (*flag) {
    *message = keep(*comm, found, info);
    status_of(info, status);
  } else {
    transport().missed();
  }
  return MPI_SUCCESS;
}

namespace ferry::mpi {
namespace {

int check_matched_receive(const void* buf, int count, MPI_Datatype type) {
  if (count < 0) return MPI_ERR_COUNT;
  if (int error = type_error(type)) return error;
  return buffer_error(buf, count, type);
}

/// MPI_Imrecv, and MPI_Mrecv's start, of a message the shim matched or MPI_MESSAGE_NO_PROC;
/// Open MPI receives its own messages.
int matched_receive(void* buf, int count, MPI_Datatype type, MPI_Message* handle, MPI_Request* out,
                    const char* function) {
  Message* message = handle != nullptr ? shim_message(*handle) : nullptr;
  const bool no_process = message == nullptr && handle != nullptr && world().hybrid() && *handle == MPI_MESSAGE_NO_PROC;
  if (message == nullptr && !no_process) return PMPI_Imrecv(buf, count, type, handle, out);
  Comm* comm = no_process ? nullptr : message->comm;
  if (out == nullptr) return raise(comm, MPI_ERR_REQUEST, function);
  if (int error = check_matched_receive(buf, count, type)) return raise(comm, error, function);
  if (no_process) {
    Request* request = new_request();
    request->active = true;
    request->complete = true;
    set_status(&request->status, MPI_PROC_NULL, MPI_ANY_TAG, MPI_SUCCESS, 0);
    *out = handle_of(request);
    *handle = MPI_MESSAGE_NULL;
    return MPI_SUCCESS;
  }
  Request* request = new_request();
  request->kind = Request::Kind::receive;
  request->bind(message->comm);
  request->active = true;
  request->receive = ReceiveBuffer(buf, count, type);
  request->transfer = Transfer::receive_probed(message->handle, message->info, request->receive.data(),
                                               request->receive.capacity(), request->receive.datatype());
  fortran::forget(*handle);
  messages.erase(message);
  *handle = MPI_MESSAGE_NULL;
  *out = handle_of(request);
  return MPI_SUCCESS;
}

}  // namespace
}  // namespace ferry::mpi

int ferry::mpi::impl::MPI_Imrecv(void* buf, int count, MPI_Datatype type, MPI_Message* handle, MPI_Request* out) {
  return matched_receive(buf, count, type, handle, out, "MPI_Imrecv");
}

int ferry::mpi::impl::MPI_Mrecv(void* buf, int count, MPI_Datatype type, MPI_Message* handle, MPI_Status* status) {
  const bool shim_matched = handle != nullptr && (shim_message(*handle) != nullptr ||
                                                  (world().hybrid() && *handle == MPI_MESSAGE_NO_PROC));
  if (!shim_matched) return PMPI_Mrecv(buf, count, type, handle, status);
  MPI_Request request = MPI_REQUEST_NULL;
  if (int error = matched_receive(buf, count, type, handle, &request, "MPI_Mrecv")) return error;
  return ::MPI_Wait(&request, status);
}
