// Keyvals, attributes, names, error handlers and Fortran handles of hybrid communicators.

#include "mpi_shim/attributes.hpp"

#include <algorithm>
#include <cstring>
#include <map>
#include <vector>

#include "mpi_shim/communicator.hpp"
#include "mpi_shim/errors.hpp"
#include "mpi_shim/tags.hpp"
#include "mpi_shim/world.hpp"

namespace ferry::mpi {

namespace {

struct Keyval {
  MPI_Comm_copy_attr_function* copy = nullptr;
  MPI_Comm_delete_attr_function* remove = nullptr;
  void* extra_state = nullptr;
};
std::map<int, Keyval> keyvals;

// Values of the predefined attributes on hybrid communicators (returned by address).
int tag_upper_bound = max_user_tag;
int host_value = MPI_PROC_NULL;
int io_value = MPI_ANY_SOURCE;
int wtime_is_global = 0;
int app_number = 0;
int universe_size = 0;

// Fortran handles of hybrid communicators, above every index Open MPI hands out.
constexpr MPI_Fint first_fortran_handle = 1 << 24;
std::vector<Comm*> fortran_handles;

}  // namespace

int copy_attributes(Comm& from, MPI_Comm from_handle, Comm& to) {
  for (const auto& [keyval, value] : from.attributes) {
    const auto found = keyvals.find(keyval);
    if (found == keyvals.end() || found->second.copy == nullptr) continue;
    void* copied = nullptr;
    int flag = 0;
    const int error = found->second.copy(from_handle, keyval, found->second.extra_state, value, &copied, &flag);
    if (error != MPI_SUCCESS) return error;
    if (flag) to.attributes[keyval] = copied;
  }
  return MPI_SUCCESS;
}

int delete_attributes(Comm& comm, MPI_Comm handle) {
  for (const auto& [keyval, value] : comm.attributes) {
    const auto found = keyvals.find(keyval);
    if (found == keyvals.end() || found->second.remove == nullptr) continue;
    const int error = found->second.remove(handle, keyval, value, found->second.extra_state);
    if (error != MPI_SUCCESS) return error;
  }
  comm.attributes.clear();
  return MPI_SUCCESS;
}

}  // namespace ferry::mpi

using namespace ferry::mpi;

extern "C" {

int MPI_Comm_create_keyval(MPI_Comm_copy_attr_function* copy, MPI_Comm_delete_attr_function* remove, int* keyval,
                           void* extra_state) {
  const int result = PMPI_Comm_create_keyval(copy, remove, keyval, extra_state);
  if (result == MPI_SUCCESS) keyvals[*keyval] = {copy, remove, extra_state};
  return result;
}

int MPI_Comm_free_keyval(int* keyval) {
  keyvals.erase(*keyval);
  return PMPI_Comm_free_keyval(keyval);
}

int MPI_Comm_set_attr(MPI_Comm handle, int keyval, void* value) {
  Comm* comm = hybrid(handle);
  if (comm == nullptr) return PMPI_Comm_set_attr(handle, keyval, value);
  const auto found = keyvals.find(keyval);
  if (found == keyvals.end()) return raise(comm, MPI_ERR_KEYVAL, "MPI_Comm_set_attr");
  const auto old = comm->attributes.find(keyval);
  if (old != comm->attributes.end() && found->second.remove != nullptr) {
    if (int error = found->second.remove(handle, keyval, old->second, found->second.extra_state)) {
      return raise(comm, error, "MPI_Comm_set_attr");
    }
  }
  comm->attributes[keyval] = value;
  return MPI_SUCCESS;
}

int MPI_Comm_get_attr(MPI_Comm handle, int keyval, void* value, int* flag) {
  Comm* comm = hybrid(handle);
  if (comm == nullptr) return PMPI_Comm_get_attr(handle, keyval, value, flag);
  void* predefined = nullptr;
  universe_size = world().size();
  if (keyval == MPI_TAG_UB) predefined = &tag_upper_bound;
  if (keyval == MPI_HOST) predefined = &host_value;
  if (keyval == MPI_IO) predefined = &io_value;
  if (keyval == MPI_WTIME_IS_GLOBAL) predefined = &wtime_is_global;
  if (keyval == MPI_APPNUM) predefined = &app_number;
  if (keyval == MPI_UNIVERSE_SIZE) predefined = &universe_size;
  if (predefined != nullptr) {
    *static_cast<void**>(value) = predefined;
    *flag = 1;
    return MPI_SUCCESS;
  }
  if (keyval == MPI_LASTUSEDCODE) return PMPI_Comm_get_attr(MPI_COMM_SELF, keyval, value, flag);
  const auto found = comm->attributes.find(keyval);
  *flag = found != comm->attributes.end() ? 1 : 0;
  if (*flag) *static_cast<void**>(value) = found->second;
  return MPI_SUCCESS;
}

int MPI_Comm_delete_attr(MPI_Comm handle, int keyval) {
  Comm* comm = hybrid(handle);
  if (comm == nullptr) return PMPI_Comm_delete_attr(handle, keyval);
  const auto old = comm->attributes.find(keyval);
  if (old == comm->attributes.end()) return raise(comm, MPI_ERR_KEYVAL, "MPI_Comm_delete_attr");
  const auto found = keyvals.find(keyval);
  if (found != keyvals.end() && found->second.remove != nullptr) {
    if (int error = found->second.remove(handle, keyval, old->second, found->second.extra_state)) {
      return raise(comm, error, "MPI_Comm_delete_attr");
    }
  }
  comm->attributes.erase(old);
  return MPI_SUCCESS;
}

int MPI_Comm_set_name(MPI_Comm handle, const char* name) {
  Comm* comm = hybrid(handle);
  if (comm == nullptr) return PMPI_Comm_set_name(handle, name);
  comm->name.assign(name, strnlen(name, MPI_MAX_OBJECT_NAME - 1));
  return MPI_SUCCESS;
}

int MPI_Comm_get_name(MPI_Comm handle, char* name, int* length) {
  Comm* comm = hybrid(handle);
  if (comm == nullptr) return PMPI_Comm_get_name(handle, name, length);
  std::memcpy(name, comm->name.c_str(), comm->name.size() + 1);
  *length = int(comm->name.size());
  return MPI_SUCCESS;
}

int MPI_Comm_create_errhandler(MPI_Comm_errhandler_function* function, MPI_Errhandler* handler) {
  const int result = PMPI_Comm_create_errhandler(function, handler);
  if (result == MPI_SUCCESS) remember_user_errhandler(*handler, function);
  return result;
}

int MPI_Comm_set_errhandler(MPI_Comm handle, MPI_Errhandler handler) {
  Comm* comm = hybrid(handle);
  if (comm == nullptr) return PMPI_Comm_set_errhandler(handle, handler);
  comm->errhandler = handler;
  return MPI_SUCCESS;
}

int MPI_Comm_get_errhandler(MPI_Comm handle, MPI_Errhandler* handler) {
  Comm* comm = hybrid(handle);
  if (comm == nullptr) return PMPI_Comm_get_errhandler(handle, handler);
  *handler = comm->errhandler;
  return MPI_SUCCESS;
}

int MPI_Comm_call_errhandler(MPI_Comm handle, int code) {
  Comm* comm = hybrid(handle);
  if (comm == nullptr) return PMPI_Comm_call_errhandler(handle, code);
  raise(comm, code, "MPI_Comm_call_errhandler");
  return MPI_SUCCESS;
}

MPI_Fint MPI_Comm_c2f(MPI_Comm handle) {
  Comm* comm = hybrid(handle);
  if (comm == nullptr || handle == MPI_COMM_WORLD) return PMPI_Comm_c2f(handle);
  auto found = std::find(fortran_handles.begin(), fortran_handles.end(), comm);
  if (found == fortran_handles.end()) found = fortran_handles.insert(fortran_handles.end(), comm);
  return first_fortran_handle + MPI_Fint(found - fortran_handles.begin());
}

MPI_Comm MPI_Comm_f2c(MPI_Fint handle) {
  if (handle < first_fortran_handle || !world().hybrid()) return PMPI_Comm_f2c(handle);
  const size_t index = size_t(handle - first_fortran_handle);
  if (index >= fortran_handles.size() || fortran_handles[index] == nullptr) return MPI_COMM_NULL;
  return handle_of(fortran_handles[index]);
}

}  // extern "C"

namespace ferry::mpi {
void forget_fortran_handle(Comm* comm) noexcept {
  std::replace(fortran_handles.begin(), fortran_handles.end(), comm, static_cast<Comm*>(nullptr));
}
}  // namespace ferry::mpi

extern "C" {

// The MPI-1 names of the attribute calls, still exported by Open MPI.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

int MPI_Attr_put(MPI_Comm handle, int keyval, void* value) {
  if (hybrid(handle) == nullptr) return PMPI_Attr_put(handle, keyval, value);
  return MPI_Comm_set_attr(handle, keyval, value);
}

int MPI_Attr_get(MPI_Comm handle, int keyval, void* value, int* flag) {
  if (hybrid(handle) == nullptr) return PMPI_Attr_get(handle, keyval, value, flag);
  return MPI_Comm_get_attr(handle, keyval, value, flag);
}

int MPI_Attr_delete(MPI_Comm handle, int keyval) {
  if (hybrid(handle) == nullptr) return PMPI_Attr_delete(handle, keyval);
  return MPI_Comm_delete_attr(handle, keyval);
}

#pragma GCC diagnostic pop

// Info hints on hybrid communicators are accepted and not used (the standard allows it).

int MPI_Comm_set_info(MPI_Comm handle, MPI_Info info) {
  if (hybrid(handle) == nullptr) return PMPI_Comm_set_info(handle, info);
  return MPI_SUCCESS;
}

int MPI_Comm_get_info(MPI_Comm handle, MPI_Info* info) {
  if (hybrid(handle) == nullptr) return PMPI_Comm_get_info(handle, info);
  return PMPI_Info_create(info);
}

}  // extern "C"
