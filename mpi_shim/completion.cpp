// Wait, Test and their array forms. Arrays may mix shim requests (hybrid communicators)
// with Open MPI's own; an array of Open MPI requests alone goes straight to PMPI_*.

#include <mpi.h>

#include <vector>

#include "mpi_shim/communicator.hpp"
#include "mpi_shim/errors.hpp"
#include "mpi_shim/request.hpp"
#include "mpi_shim/surface/implementations.hpp"
#include "mpi_shim/transport.hpp"
#include "mpi_shim/world.hpp"

namespace ferry::mpi {

namespace {

MPI_Status* status_at(MPI_Status* statuses, int index) {
  return statuses == MPI_STATUSES_IGNORE ? MPI_STATUS_IGNORE : &statuses[index];
}

/// Hands a completed shim request's status to the caller and releases it (persistent
/// requests become inactive instead). Returns the request's error code.
int retire(MPI_Request* handle, Request& request, MPI_Status* status, Completion completion) {
  const MPI_Status result = request.status;
  deliver_status(status, result, completion);
  if (request.persistent) {
    request.active = false;
  } else {
    free_request(&request);
    *handle = MPI_REQUEST_NULL;
  }
  return result.MPI_ERROR;
}

enum class Slot { idle, pending, done };

/// Tests one entry of a mixed array, whose shim request (nullptr for Open MPI's or a null
/// one) the caller looked up; `error` receives its error code when it completes.
Slot test_slot(MPI_Request* handle, Request* request, MPI_Status* status, int& error, Completion completion) {
  if (*handle == MPI_REQUEST_NULL) return Slot::idle;
  if (request != nullptr) {
    if (!request->active) return Slot::idle;
    if (!request->test()) return Slot::pending;
    error = retire(handle, *request, status, completion);
    return Slot::done;
  }
  int flag = 0;
  MPI_Status local;
  MPI_Status* target = status == MPI_STATUS_IGNORE ? &local : status;
  error = PMPI_Test(handle, &flag, target);
  if (flag && completion == Completion::multiple && status != MPI_STATUS_IGNORE) status->MPI_ERROR = error;
  return flag ? Slot::done : Slot::pending;
}

/// Progresses until `done()`: sleeps in the job's mode when only shim requests are
/// pending, polls both libraries when Open MPI's are pending too.
template <class Done>
void progress_until(bool native_pending, Done&& done) {
  if (!native_pending) {
    transport().wait_until(done);
    return;
  }
  while (!done()) {
    transport().poll();
    transport().missed();
  }
}

/// Finds the shim request behind `handle` (nullptr for Open MPI's and MPI_REQUEST_NULL);
/// false when it is no request at all: a null pointer or a shim request that was freed.
bool look_up(MPI_Request handle, Request*& shim) noexcept {
  if (handle == nullptr) return false;
  shim = shim_request(handle);
  return shim != nullptr || !stale_request(handle);
}

/// MPI_ERR_REQUEST when an entry is no request at all: a null pointer (not MPI_REQUEST_NULL)
/// or a shim request that has been freed.
int check_requests(int count, const MPI_Request requests[]) noexcept {
  for (int i = 0; i < count; ++i) {
    if (requests[i] == nullptr || stale_request(requests[i])) return MPI_ERR_REQUEST;
  }
  return MPI_SUCCESS;
}

}  // namespace

}  // namespace ferry::mpi

using namespace ferry::mpi;

int ferry::mpi::impl::MPI_Wait(MPI_Request* handle, MPI_Status* status) {
  Request* request = world().hybrid() ? shim_request(*handle) : nullptr;
  if (request == nullptr) return raise(nullptr, MPI_ERR_REQUEST, "MPI_Wait");
  if (!request->active) {
    deliver_empty_status(status, Completion::single);
    return MPI_SUCCESS;
  }
  wait(*request);
  Comm* comm = request->comm;
  const int error = retire(handle, *request, status, Completion::single);
  return error == MPI_SUCCESS ? MPI_SUCCESS : raise(comm, error, "MPI_Wait");
}

int ferry::mpi::impl::MPI_Test(MPI_Request* handle, int* flag, MPI_Status* status) {
  Request* request = world().hybrid() ? shim_request(*handle) : nullptr;
  if (request == nullptr) return raise(nullptr, MPI_ERR_REQUEST, "MPI_Test");
  if (flag == nullptr) return raise(request->comm, MPI_ERR_ARG, "MPI_Test");
  if (!request->active) {
    *flag = 1;
    deliver_empty_status(status, Completion::single);
    return MPI_SUCCESS;
  }
  transport().poll();
  *flag = request->test() ? 1 : 0;
  if (!*flag) {
    transport().missed();
    return MPI_SUCCESS;
  }
  Comm* comm = request->comm;
  const int error = retire(handle, *request, status, Completion::single);
  return error == MPI_SUCCESS ? MPI_SUCCESS : raise(comm, error, "MPI_Test");
}

int ferry::mpi::impl::MPI_Waitall(int count, MPI_Request requests[], MPI_Status statuses[]) {
  // What Waitall knows of each entry. The usual array fits on the stack: completion
  // allocates nothing.
  struct Entry {
    Slot slot = Slot::pending;
    Request* shim = nullptr;  ///< looked up once: nullptr for Open MPI's and null requests
    bool passive = false;     ///< an active shim request that is not a collective
  };
  Entry stack_entries[64];
  std::vector<Entry> heap_entries(count > 64 ? size_t(count) : 0);
  Entry* entries = count > 64 ? heap_entries.data() : stack_entries;
  // A sweep tests the point-to-point requests only up to the first that is still pending:
  // testing them drives nothing (UCX completes them as it progresses), they mostly
  // complete in the order they were started, and testing every one of a window of them at
  // every turn made the time per message grow with the window. Collectives, whose tests
  // drive them, and Open MPI's requests are tested at every sweep.
  bool only_passive = true;
  Comm* comm = nullptr;
  for (int i = 0; i < count; ++i) {
    Entry& entry = entries[i];
    if (!look_up(requests[i], entry.shim)) return raise(nullptr, MPI_ERR_REQUEST, "MPI_Waitall");
    entry.passive = entry.shim != nullptr && entry.shim->active && entry.shim->passive();
    only_passive = only_passive && (entry.passive || requests[i] == MPI_REQUEST_NULL);
    if (comm == nullptr && entry.shim != nullptr) comm = entry.shim->comm;
  }
  bool failed = false;
  bool native_pending = false;
  int first_pending = 0;
  auto sweep = [&] {
    bool all = true;
    bool behind_pending = false;
    native_pending = false;
    while (first_pending < count && entries[first_pending].slot != Slot::pending) ++first_pending;
    for (int i = first_pending; i < count; ++i) {
      Entry& entry = entries[i];
      if (entry.slot != Slot::pending) continue;
      if (entry.passive && behind_pending) {
        all = false;
        if (only_passive) break;
        continue;
      }
      int error = MPI_SUCCESS;
      entry.slot = test_slot(&requests[i], entry.shim, status_at(statuses, i), error, Completion::multiple);
      if (entry.passive && entry.slot == Slot::pending) behind_pending = true;
      if (entry.slot == Slot::idle) deliver_empty_status(status_at(statuses, i), Completion::multiple);
      if (entry.slot == Slot::pending) {
        all = false;
        native_pending = native_pending || entry.shim == nullptr;
      }
      if (error != MPI_SUCCESS) failed = true;
    }
    return all;
  };
  if (!sweep()) progress_until(native_pending, sweep);
  return failed ? raise(comm, MPI_ERR_IN_STATUS, "MPI_Waitall") : MPI_SUCCESS;
}

int ferry::mpi::impl::MPI_Testall(int count, MPI_Request requests[], int* flag, MPI_Status statuses[]) {
  if (int error = check_requests(count, requests)) return raise(nullptr, error, "MPI_Testall");
  if (flag == nullptr) return raise(nullptr, MPI_ERR_ARG, "MPI_Testall");
  transport().poll();
  // Completes nothing unless everything can complete: test shim requests first without retiring.
  for (int i = 0; i < count; ++i) {
    Request* request = shim_request(requests[i]);
    if (request != nullptr && request->active && !request->test()) {
      *flag = 0;
      transport().missed();
      return MPI_SUCCESS;
    }
  }
  std::vector<MPI_Request> native;  // stays empty (allocates nothing) without Open MPI requests
  std::vector<int> native_index;
  for (int i = 0; i < count; ++i) {
    if (requests[i] != MPI_REQUEST_NULL && shim_request(requests[i]) == nullptr) {
      native.push_back(requests[i]);
      native_index.push_back(i);
    }
  }
  int native_done = 1;
  if (!native.empty()) {
    // Open MPI completes none of them unless all are complete.
    std::vector<MPI_Status> native_statuses(native.size());
    PMPI_Testall(int(native.size()), native.data(), &native_done, native_statuses.data());
    if (!native_done) {
      *flag = 0;
      transport().missed();
      return MPI_SUCCESS;
    }
    for (size_t next = 0; next < native.size(); ++next) {
      if (statuses != MPI_STATUSES_IGNORE) statuses[native_index[next]] = native_statuses[next];
      requests[native_index[next]] = native[next];
    }
  }
  bool failed = false;
  Comm* comm = nullptr;
  size_t next_native = 0;
  for (int i = 0; i < count; ++i) {
    if (next_native < native_index.size() && native_index[next_native] == i) {
      ++next_native;
      continue;
    }
    Request* request = shim_request(requests[i]);
    if (request == nullptr || !request->active) {
      deliver_empty_status(status_at(statuses, i), Completion::multiple);
      continue;
    }
    comm = request->comm;
    if (retire(&requests[i], *request, status_at(statuses, i), Completion::multiple) != MPI_SUCCESS) failed = true;
  }
  *flag = 1;
  return failed ? raise(comm, MPI_ERR_IN_STATUS, "MPI_Testall") : MPI_SUCCESS;
}

int ferry::mpi::impl::MPI_Waitany(int count, MPI_Request requests[], int* index, MPI_Status* status) {
  if (int error = check_requests(count, requests)) return raise(nullptr, error, "MPI_Waitany");
  if (index == nullptr) return raise(nullptr, MPI_ERR_ARG, "MPI_Waitany");
  *index = MPI_UNDEFINED;
  int error = MPI_SUCCESS;
  bool native_pending = false;
  auto sweep = [&] {
    bool any_active = false;
    native_pending = false;
    for (int i = 0; i < count; ++i) {
      Request* shim = shim_request(requests[i]);
      const Slot slot = test_slot(&requests[i], shim, status, error, Completion::single);
      if (slot == Slot::done) {
        *index = i;
        return true;
      }
      if (slot == Slot::pending) {
        any_active = true;
        native_pending = native_pending || shim == nullptr;
      }
    }
    return !any_active;
  };
  if (!sweep()) progress_until(native_pending, sweep);
  if (*index == MPI_UNDEFINED) deliver_empty_status(status, Completion::single);
  return error == MPI_SUCCESS ? MPI_SUCCESS : raise(nullptr, error, "MPI_Waitany");
}

int ferry::mpi::impl::MPI_Testany(int count, MPI_Request requests[], int* index, int* flag, MPI_Status* status) {
  if (int error = check_requests(count, requests)) return raise(nullptr, error, "MPI_Testany");
  if (index == nullptr || flag == nullptr) return raise(nullptr, MPI_ERR_ARG, "MPI_Testany");
  transport().poll();
  *index = MPI_UNDEFINED;
  bool any_active = false;
  int error = MPI_SUCCESS;
  for (int i = 0; i < count; ++i) {
    const Slot slot = test_slot(&requests[i], shim_request(requests[i]), status, error, Completion::single);
    if (slot == Slot::done) {
      *index = i;
      *flag = 1;
      return error == MPI_SUCCESS ? MPI_SUCCESS : raise(nullptr, error, "MPI_Testany");
    }
    any_active = any_active || slot == Slot::pending;
  }
  *flag = any_active ? 0 : 1;
  if (!any_active) deliver_empty_status(status, Completion::single);
  if (any_active) transport().missed();
  return MPI_SUCCESS;
}

static int some(int count, MPI_Request requests[], int* outcount, int indices[], MPI_Status statuses[], bool block,
                const char* function) {
  if (int error = check_requests(count, requests)) return raise(nullptr, error, function);
  if (outcount == nullptr || indices == nullptr) return raise(nullptr, MPI_ERR_ARG, function);
  *outcount = 0;
  bool any_active = false, native_pending = false, failed = false;
  auto sweep = [&] {
    any_active = false;
    native_pending = false;
    for (int i = 0; i < count; ++i) {
      Request* shim = shim_request(requests[i]);
      const bool native = shim == nullptr;
      int error = MPI_SUCCESS;
      const Slot slot = test_slot(&requests[i], shim, status_at(statuses, *outcount), error, Completion::multiple);
      if (slot == Slot::done) {
        indices[(*outcount)++] = i;
        if (error != MPI_SUCCESS) failed = true;
      } else if (slot == Slot::pending) {
        any_active = true;
        native_pending = native_pending || native;
      }
    }
    return *outcount > 0 || !any_active;
  };
  transport().poll();
  if (!sweep()) {
    if (block) {
      progress_until(native_pending, sweep);
    } else {
      transport().missed();
    }
  }
  if (*outcount == 0 && !any_active) *outcount = MPI_UNDEFINED;
  return failed ? raise(nullptr, MPI_ERR_IN_STATUS, function) : MPI_SUCCESS;
}

int ferry::mpi::impl::MPI_Waitsome(int incount, MPI_Request requests[], int* outcount, int indices[],
                                   MPI_Status statuses[]) {
  return some(incount, requests, outcount, indices, statuses, true, "MPI_Waitsome");
}

int ferry::mpi::impl::MPI_Testsome(int incount, MPI_Request requests[], int* outcount, int indices[],
                                   MPI_Status statuses[]) {
  return some(incount, requests, outcount, indices, statuses, false, "MPI_Testsome");
}

int ferry::mpi::impl::MPI_Request_free(MPI_Request* handle) {
  Request* request = world().hybrid() ? shim_request(*handle) : nullptr;
  if (request == nullptr) return raise(nullptr, MPI_ERR_REQUEST, "MPI_Request_free");
  if (request->active && !request->complete) {
    request->persistent = false;
    detach(request);
  } else {
    free_request(request);
  }
  *handle = MPI_REQUEST_NULL;
  return MPI_SUCCESS;
}

int ferry::mpi::impl::MPI_Request_get_status(MPI_Request handle, int* flag, MPI_Status* status) {
  Request* request = world().hybrid() ? shim_request(handle) : nullptr;
  if (request == nullptr) return raise(nullptr, MPI_ERR_REQUEST, "MPI_Request_get_status");
  if (flag == nullptr) return raise(request->comm, MPI_ERR_ARG, "MPI_Request_get_status");
  if (!request->active) {
    *flag = 1;
    deliver_empty_status(status, Completion::single);
    return MPI_SUCCESS;
  }
  transport().poll();
  *flag = request->test() ? 1 : 0;
  if (*flag) {
    deliver_status(status, request->status, Completion::single);
  } else {
    transport().missed();
  }
  return MPI_SUCCESS;
}

int ferry::mpi::impl::MPI_Cancel(MPI_Request* handle) {
  Request* request = world().hybrid() ? shim_request(*handle) : nullptr;
  if (request == nullptr) return raise(nullptr, MPI_ERR_REQUEST, "MPI_Cancel");
  if (request->kind == Request::Kind::receive && request->active && !request->complete) request->transfer.cancel();
  return MPI_SUCCESS;
}

int ferry::mpi::impl::MPI_Start(MPI_Request* handle) {
  Request* request = world().hybrid() ? shim_request(*handle) : nullptr;
  if (request == nullptr) return raise(nullptr, MPI_ERR_REQUEST, "MPI_Start");
  if (!request->persistent || request->active) return raise(request->comm, MPI_ERR_REQUEST, "MPI_Start");
  start_persistent(*request);
  return MPI_SUCCESS;
}

int ferry::mpi::impl::MPI_Startall(int count, MPI_Request requests[]) {
  for (int i = 0; i < count; ++i) {
    if (int error = ::MPI_Start(&requests[i])) return error;
  }
  return MPI_SUCCESS;
}
