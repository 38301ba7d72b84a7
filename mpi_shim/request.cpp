#include "mpi_shim/request.hpp"

#include <cstdint>
#include <memory>
#include <vector>

#include "mpi_shim/collectives/task.hpp"
#include "mpi_shim/communicator.hpp"
#include "mpi_shim/dynamic/process_failures.hpp"
#include "mpi_shim/errors.hpp"
#include "mpi_shim/tags.hpp"
#include "mpi_shim/transport.hpp"
#include "mpi_shim/world.hpp"
#include "runtime/common/error.hpp"

namespace ferry::mpi {

namespace {

/// Requests live in slabs that are never returned, and freed ones are reused, so starting
/// a nonblocking operation allocates nothing once the pool has grown to the program's
/// needs. A handle is a shim request when it points at a live slot of a slab.
class RequestPool {
 public:
  Request* take() {
    if (free_.empty()) grow();
    Request* request = free_.back();
    free_.pop_back();
    request->live = true;
    return request;
  }
  void give_back(Request* request) noexcept {
    request->reset();
    free_.push_back(request);
  }
  Request* find(const void* handle) const noexcept {
    const size_t index = index_of(handle);
    return index == npos ? nullptr : at(index);
  }
  bool empty() const noexcept { return slabs_.empty(); }
  /// Whether `done` holds for every live request.
  template <class Done>
  bool all_of(Done&& done) const {
    for (const auto& slab : slabs_) {
      for (size_t i = 0; i < slab_size; ++i) {
        if (slab[i].live && !done(slab[i])) return false;
      }
    }
    return true;
  }
  static constexpr size_t npos = SIZE_MAX;
  /// The slot `address` is the start of, or npos.
  size_t index_of(const void* address) const noexcept {
    const auto value = reinterpret_cast<uintptr_t>(address);
    for (size_t slab = 0; slab < slabs_.size(); ++slab) {
      const auto first = reinterpret_cast<uintptr_t>(slabs_[slab].get());
      if (value < first || value >= first + slab_size * sizeof(Request)) continue;
      if ((value - first) % sizeof(Request) != 0) return npos;
      return slab * slab_size + (value - first) / sizeof(Request);
    }
    return npos;
  }
  Request* at(size_t index) const noexcept {
    if (index / slab_size >= slabs_.size()) return nullptr;
    Request* request = &slabs_[index / slab_size][index % slab_size];
    return request->live ? request : nullptr;
  }

 private:
  static constexpr size_t slab_size = 256;
  void grow() {
    slabs_.push_back(std::make_unique<Request[]>(slab_size));
    free_.reserve(slabs_.size() * slab_size);
    for (size_t i = slab_size; i > 0; --i) free_.push_back(&slabs_.back()[i - 1]);
  }
  std::vector<std::unique_ptr<Request[]>> slabs_;
  std::vector<Request*> free_;
};

RequestPool pool;
std::vector<Request*> pending_collectives;  // nonblocking collectives not yet complete

/// An operation that cannot start completes at once with the error, after the
/// communicator's error handler has seen it (with what went wrong).
int fail_at_start(Request& request, Comm& comm, const Error& error) {
  const int code = raise(&comm, MPI_ERR_COUNT, "MPI point-to-point", error.what());
  request.kind = Request::Kind::completed;
  request.complete = true;
  set_status(&request.status, MPI_ANY_SOURCE, MPI_ANY_TAG, code, 0);
  return code;
}

/// An operation that needs a failed process completes at once with the failure's code,
/// which its Wait or Test reports.
int fail_at_start(Request& request, int code) {
  request.kind = Request::Kind::completed;
  request.complete = true;
  set_status(&request.status, request.peer, MPI_ANY_TAG, code, 0);
  return code;
}

}  // namespace

Request::~Request() { bind(nullptr); }

void Request::bind(Comm* target) noexcept {
  if (target == comm) return;
  if (target != nullptr) retain(target);
  if (comm != nullptr) release(comm);
  comm = target;
}

int Request::failed_peer_code() {
  if (failures_noted() == failure_mark) return MPI_SUCCESS;
  int code = MPI_SUCCESS;
  if (kind == Kind::collective) {
    code = comm_failure_code(*comm);
  } else if (peer == MPI_ANY_SOURCE) {
    code = comm_failure_code(*comm, failure_mark);
  } else {
    code = failure_code(comm->peer(peer));
  }
  failure_mark = failures_noted();
  return code;
}

bool Request::test() {
  if (complete || !active) return true;
  if (kind != Kind::completed && failures_noted() != failure_mark) {
    if (const int code = failed_peer_code(); code != MPI_SUCCESS && !(kind != Kind::collective && transfer.test())) {
      if (kind == Kind::receive) transfer.cancel();
      set_status(&status, kind == Kind::receive ? peer : MPI_ANY_SOURCE, MPI_ANY_TAG, code, 0);
      complete = true;
      return true;
    }
  }
  switch (kind) {
    case Kind::send:
      if (!transfer.test()) return false;
      set_status(&status, MPI_ANY_SOURCE, MPI_ANY_TAG, error_class_of(transfer.status()), 0);
      break;
    case Kind::receive: {
      if (!transfer.test()) return false;
      const size_t received = receive_outcome(transfer, receive.capacity(), &status);
      if (transfer.status() == UCS_OK) receive.finish(received);
      break;
    }
    case Kind::collective:
      if (!task->step()) return false;
      set_status(&status, MPI_ANY_SOURCE, MPI_ANY_TAG, task->result(), 0);
      break;
    case Kind::completed:
      break;
  }
  complete = true;
  return true;
}

size_t receive_outcome(const Transfer& transfer, size_t capacity, MPI_Status* status) {
  const ucs_status_t result = transfer.status();
  if (result == UCS_ERR_CANCELED) {
    set_status(status, MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_SUCCESS, 0, true);
    return 0;
  }
  const size_t received = result == UCS_OK ? transfer.length() : capacity;
  set_status(status, source_of(transfer.sender_tag()), tag_of(transfer.sender_tag()), error_class_of(result), received);
  return received;
}

Request* shim_request(MPI_Request handle) noexcept {
  if (pool.empty() || handle == MPI_REQUEST_NULL) return nullptr;
  return pool.find(handle);
}

MPI_Request handle_of(Request* request) noexcept { return reinterpret_cast<MPI_Request>(request); }

bool stale_request(MPI_Request handle) noexcept {
  if (pool.empty() || handle == MPI_REQUEST_NULL) return false;
  const size_t index = pool.index_of(handle);
  return index != RequestPool::npos && pool.at(index) == nullptr;
}

size_t shim_request_index(MPI_Request handle) noexcept {
  if (pool.empty() || handle == MPI_REQUEST_NULL) return SIZE_MAX;
  const size_t index = pool.index_of(handle);
  return index != RequestPool::npos && pool.at(index) != nullptr ? index : SIZE_MAX;
}
Request* pooled_request(size_t index) noexcept { return pool.at(index); }

Request* new_request() { return pool.take(); }

void free_request(Request* request) noexcept {
  if (request->shared) return;
  if (request->kind == Request::Kind::collective) std::erase(pending_collectives, request);
  pool.give_back(request);
}

MPI_Request completed_send() {
  static Request* const shared = [] {
    Request* request = pool.take();
    request->kind = Request::Kind::completed;
    request->active = true;
    request->complete = true;
    request->shared = true;
    set_status(&request->status, MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_SUCCESS, 0);
    return request;
  }();
  return handle_of(shared);
}

void Request::reset() noexcept {
  kind = Kind::completed;
  persistent = active = complete = live = false;
  bind(nullptr);
  transfer = Transfer();
  send.clear();
  receive.clear();
  status = MPI_Status{};
  task.reset();
  held_types.clear();
  buffer = nullptr;
  count = 0;
  type.reset();
  peer = tag = 0;
  mode = SendMode::standard;
  receives = false;
  failure_mark = 0;
}

int start_send(Request& request, const void* buffer, int count, MPI_Datatype type, int dest, int tag, Comm& comm,
               SendMode mode) {
  request.kind = Request::Kind::send;
  request.bind(&comm);
  request.active = true;
  request.complete = false;
  if (dest == MPI_PROC_NULL) {
    request.kind = Request::Kind::completed;
    request.complete = true;
    set_status(&request.status, MPI_PROC_NULL, MPI_ANY_TAG, MPI_SUCCESS, 0);
    return MPI_SUCCESS;
  }
  try {
    request.send.assign(buffer, count, type);
  } catch (const Error& error) {
    return fail_at_start(request, comm, error);
  }
  if (mode == SendMode::buffered) request.send.own();
  request.peer = dest;
  request.failure_mark = failures_noted();
  if (request.failure_mark != 0) {
    if (const int code = failure_code(comm.peer(dest)); code != MPI_SUCCESS) return fail_at_start(request, code);
  }
  request.transfer = Transfer::send(comm.peer(dest), user_tag(tag, comm.rank, comm.send_context()), request.send.data(),
                                    request.send.size(), mode == SendMode::synchronous, request.send.datatype());
  return MPI_SUCCESS;
}

int start_receive(Request& request, void* buffer, int count, MPI_Datatype type, int source, int tag, Comm& comm) {
  request.kind = Request::Kind::receive;
  request.bind(&comm);
  request.active = true;
  request.complete = false;
  if (source == MPI_PROC_NULL) {
    request.kind = Request::Kind::completed;
    request.complete = true;
    set_status(&request.status, MPI_PROC_NULL, MPI_ANY_TAG, MPI_SUCCESS, 0);
    return MPI_SUCCESS;
  }
  try {
    request.receive.assign(buffer, count, type);
  } catch (const Error& error) {
    return fail_at_start(request, comm, error);
  }
  request.peer = source;
  request.failure_mark = failures_noted();
  if (request.failure_mark != 0 && source != MPI_ANY_SOURCE) {
    if (const int code = failure_code(comm.peer(source)); code != MPI_SUCCESS) return fail_at_start(request, code);
  }
  const bool any_source = source == MPI_ANY_SOURCE, any_tag = tag == MPI_ANY_TAG;
  request.transfer = Transfer::receive(user_tag(any_tag ? 0 : tag, any_source ? 0 : source, comm.context_id),
                                       user_mask(any_source, any_tag), request.receive.data(),
                                       request.receive.capacity(), request.receive.datatype());
  return MPI_SUCCESS;
}

void adopt_transfer(Request& request, Transfer transfer, Request::Kind kind, int peer, Comm& comm) {
  request.kind = kind;
  request.bind(&comm);
  request.active = true;
  request.complete = false;
  request.peer = peer;
  request.failure_mark = 0;  // the call started before any failure was noted
  request.transfer = std::move(transfer);
}

void start_persistent(Request& request) {
  if (request.receives) {
    start_receive(request, const_cast<void*>(request.buffer), request.count, request.type.get(), request.peer, request.tag,
                  *request.comm);
  } else {
    start_send(request, request.buffer, request.count, request.type.get(), request.peer, request.tag, *request.comm,
               request.mode);
  }
}

MPI_Request completed_request(Comm& comm) {
  Request* request = new_request();
  request->kind = Request::Kind::completed;
  request->bind(&comm);
  request->active = true;
  request->complete = true;
  set_status(&request->status, MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_SUCCESS, 0);
  return handle_of(request);
}

MPI_Request start_collective(Comm& comm, std::unique_ptr<Task> task, std::vector<HeldType> held_types) {
  Request* request = new_request();
  request->kind = Request::Kind::collective;
  request->bind(&comm);
  request->active = true;
  request->task = std::move(task);
  request->held_types = std::move(held_types);
  request->failure_mark = failures_noted() != 0 ? failures_noted() - 1 : 0;
  pending_collectives.push_back(request);
  return handle_of(request);
}

}  // namespace ferry::mpi

namespace ferry::mpi {

namespace {
std::vector<Request*> detached;
}

void detach(Request* request) { detached.push_back(request); }

bool sweep_detached() {
  std::erase_if(detached, [](Request* request) {
    if (!request->test()) return false;
    free_request(request);
    return true;
  });
  return detached.empty();
}

void progress_background() {
  take_failure_news_if_expected();
  if (!detached.empty()) sweep_detached();
  if (!pending_collectives.empty()) std::erase_if(pending_collectives, [](Request* request) { return request->test(); });
}

void complete_operations_on(Comm& comm) {
  auto settled = [&] {
    return pool.all_of([&](Request& request) { return request.comm != &comm || request.test(); });
  };
  if (!settled()) transport().wait_until(settled);
}

void wait(Request& request) {
  if (request.test()) return;
  transport().wait_until([&] { return request.test(); });
}

}  // namespace ferry::mpi
