// Keyvals, attributes, names and error handlers of hybrid communicators.

#include "mpi_shim/attributes.hpp"

#include <algorithm>
#include <cstring>
#include <map>
#include <vector>

#include "mpi_shim/communicator.hpp"
#include "mpi_shim/dynamic/spawn_service.hpp"
#include "mpi_shim/errors.hpp"
#include "mpi_shim/surface/fortran.hpp"
#include "mpi_shim/surface/implementations.hpp"
#include "mpi_shim/tags.hpp"
#include "mpi_shim/world.hpp"

namespace ferry::mpi {

namespace {

// A keyval's callbacks: C ones, or Fortran ones that take their values by reference as
// address-sized integers (MPI_COMM_CREATE_KEYVAL) or default INTEGERs (MPI_KEYVAL_CREATE).
struct Keyval {
  MPI_Comm_copy_attr_function* copy = nullptr;
  MPI_Comm_delete_attr_function* remove = nullptr;
  void* extra_state = nullptr;
  FortranCopyFunction* fortran_copy = nullptr;
  FortranDeleteFunction* fortran_remove = nullptr;
  FortranIntegerCopyFunction* integer_copy = nullptr;
  FortranIntegerDeleteFunction* integer_remove = nullptr;

  bool copies() const noexcept { return copy != nullptr || fortran_copy != nullptr || integer_copy != nullptr; }
  bool removes() const noexcept { return remove != nullptr || fortran_remove != nullptr || integer_remove != nullptr; }

  int call_copy(MPI_Comm handle, int keyval, void* value, void** copied, int* flag) const {
    if (copy) return copy(handle, keyval, extra_state, value, copied, flag);
    MPI_Fint comm = fortran::to_fortran(handle), key = keyval, fortran_flag = 0, error = MPI_SUCCESS;
    if (integer_copy) {
      MPI_Fint extra = integer(extra_state), in = integer(value), out = 0;
      integer_copy(&comm, &key, &extra, &in, &out, &fortran_flag, &error);
      *copied = reinterpret_cast<void*>(MPI_Aint(out));
    } else {
      MPI_Aint extra = reinterpret_cast<MPI_Aint>(extra_state), in = reinterpret_cast<MPI_Aint>(value), out = 0;
      fortran_copy(&comm, &key, &extra, &in, &out, &fortran_flag, &error);
      *copied = reinterpret_cast<void*>(out);
    }
    *flag = fortran_flag != 0;
    return error;
  }

  int call_remove(MPI_Comm handle, int keyval, void* value) const {
    if (remove) return remove(handle, keyval, value, extra_state);
    MPI_Fint comm = fortran::to_fortran(handle), key = keyval, error = MPI_SUCCESS;
    if (integer_remove) {
      MPI_Fint extra = integer(extra_state), attribute = integer(value);
      integer_remove(&comm, &key, &attribute, &extra, &error);
    } else {
      MPI_Aint extra = reinterpret_cast<MPI_Aint>(extra_state), attribute = reinterpret_cast<MPI_Aint>(value);
      fortran_remove(&comm, &key, &attribute, &extra, &error);
    }
    return error;
  }

  static MPI_Fint integer(void* value) noexcept { return MPI_Fint(reinterpret_cast<MPI_Aint>(value)); }
};
std::map<int, Keyval> keyvals;

// Values of the predefined attributes on hybrid communicators (returned by address).
int tag_upper_bound = max_user_tag;
int host_value = MPI_PROC_NULL;
int io_value = MPI_ANY_SOURCE;
int wtime_is_global = 0;
int app_number = 0;
int universe_size = 0;

}  // namespace

int copy_attributes(Comm& from, MPI_Comm from_handle, Comm& to) {
  for (const auto& [keyval, value] : from.attributes) {
    const auto found = keyvals.find(keyval);
    if (found == keyvals.end() || !found->second.copies()) continue;
    void* copied = nullptr;
    int flag = 0;
    const int error = found->second.call_copy(from_handle, keyval, value, &copied, &flag);
    if (error != MPI_SUCCESS) return error;
    if (flag) to.attributes[keyval] = copied;
  }
  return MPI_SUCCESS;
}

int delete_attributes(Comm& comm, MPI_Comm handle) {
  for (const auto& [keyval, value] : comm.attributes) {
    const auto found = keyvals.find(keyval);
    if (found == keyvals.end() || !found->second.removes()) continue;
    const int error = found->second.call_remove(handle, keyval, value);
    if (error != MPI_SUCCESS) return error;
  }
  comm.attributes.clear();
  return MPI_SUCCESS;
}

void remember_fortran_keyval(int keyval, FortranCopyFunction* copy, FortranDeleteFunction* remove,
                             MPI_Aint extra_state) {
  keyvals[keyval] = {
      .extra_state = reinterpret_cast<void*>(extra_state), .fortran_copy = copy, .fortran_remove = remove};
}

void remember_fortran_integer_keyval(int keyval, FortranIntegerCopyFunction* copy,
                                     FortranIntegerDeleteFunction* remove, MPI_Fint extra_state) {
  keyvals[keyval] = {.extra_state = reinterpret_cast<void*>(MPI_Aint(extra_state)),
                     .integer_copy = copy,
                     .integer_remove = remove};
}

}  // namespace ferry::mpi

using namespace ferry::mpi;

int ferry::mpi::impl::MPI_Comm_create_keyval(MPI_Comm_copy_attr_function* copy, MPI_Comm_delete_attr_function* remove,
                                             int* keyval, void* extra_state) {
  const int result = PMPI_Comm_create_keyval(copy, remove, keyval, extra_state);
  if (result == MPI_SUCCESS) keyvals[*keyval] = {.copy = copy, .remove = remove, .extra_state = extra_state};
  return result;
}

int ferry::mpi::impl::MPI_Comm_free_keyval(int* keyval) {
  keyvals.erase(*keyval);
  return PMPI_Comm_free_keyval(keyval);
}

int ferry::mpi::impl::MPI_Comm_set_attr(MPI_Comm handle, int keyval, void* value) {
  Comm* comm = hybrid(handle);
  const auto found = keyvals.find(keyval);
  if (found == keyvals.end()) return raise(comm, MPI_ERR_KEYVAL, "MPI_Comm_set_attr");
  const auto old = comm->attributes.find(keyval);
  if (old != comm->attributes.end() && found->second.removes()) {
    if (int error = found->second.call_remove(handle, keyval, old->second)) {
      return raise(comm, error, "MPI_Comm_set_attr");
    }
  }
  comm->attributes[keyval] = value;
  return MPI_SUCCESS;
}

int ferry::mpi::impl::MPI_Comm_get_attr(MPI_Comm handle, int keyval, void* value, int* flag) {
  Comm* comm = hybrid(handle);
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
  const auto found = comm->attributes.find(keyval);
  *flag = found != comm->attributes.end() ? 1 : 0;
  if (*flag) *static_cast<void**>(value) = found->second;
  return MPI_SUCCESS;
}

int ferry::mpi::impl::MPI_Comm_delete_attr(MPI_Comm handle, int keyval) {
  Comm* comm = hybrid(handle);
  const auto old = comm->attributes.find(keyval);
  if (old == comm->attributes.end()) return raise(comm, MPI_ERR_KEYVAL, "MPI_Comm_delete_attr");
  const auto found = keyvals.find(keyval);
  if (found != keyvals.end() && found->second.removes()) {
    if (int error = found->second.call_remove(handle, keyval, old->second)) {
      return raise(comm, error, "MPI_Comm_delete_attr");
    }
  }
  comm->attributes.erase(old);
  return MPI_SUCCESS;
}

int ferry::mpi::impl::MPI_Comm_set_name(MPI_Comm handle, const char* name) {
  Comm* comm = hybrid(handle);
  comm->name.assign(name, strnlen(name, MPI_MAX_OBJECT_NAME - 1));
  return MPI_SUCCESS;
}

int ferry::mpi::impl::MPI_Comm_get_name(MPI_Comm handle, char* name, int* length) {
  Comm* comm = hybrid(handle);
  std::memcpy(name, comm->name.c_str(), comm->name.size() + 1);
  *length = int(comm->name.size());
  return MPI_SUCCESS;
}

int ferry::mpi::impl::MPI_Comm_create_errhandler(MPI_Comm_errhandler_function* function, MPI_Errhandler* handler) {
  const int result = PMPI_Comm_create_errhandler(function, handler);
  if (result == MPI_SUCCESS) remember_user_errhandler(*handler, function);
  return result;
}

int ferry::mpi::impl::MPI_Comm_set_errhandler(MPI_Comm handle, MPI_Errhandler handler) {
  Comm* comm = hybrid(handle);
  if (handler == MPI_ERRHANDLER_NULL) return raise(comm, MPI_ERR_ARG, "MPI_Comm_set_errhandler");
  comm->errhandler = handler;
  // Open MPI raises the errors of calls whose handles are not its own objects (MPI_COMM_NULL,
  // a null request) on its MPI_COMM_WORLD: they reach the program's handler too.
  if (comm == &world_comm()) PMPI_Comm_set_errhandler(MPI_COMM_WORLD, handler);
  if (comm->spawn_order != 0) {
    SpawnService::instance().set_parents_handle_errors(comm->spawn_order, handler != MPI_ERRORS_ARE_FATAL);
  }
  return MPI_SUCCESS;
}

int ferry::mpi::impl::MPI_Comm_get_errhandler(MPI_Comm handle, MPI_Errhandler* handler) {
  Comm* comm = hybrid(handle);
  *handler = comm->errhandler.new_reference();
  return MPI_SUCCESS;
}

int ferry::mpi::impl::MPI_Comm_call_errhandler(MPI_Comm handle, int code) {
  Comm* comm = hybrid(handle);
  raise(comm, code, "MPI_Comm_call_errhandler");
  return MPI_SUCCESS;
}

// The MPI-1 names of the attribute calls, still exported by Open MPI. Their callbacks have
// the C signatures of MPI_Comm_create_keyval's.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

int ferry::mpi::impl::MPI_Keyval_create(MPI_Copy_function* copy, MPI_Delete_function* remove, int* keyval,
                                        void* extra_state) {
  return impl::MPI_Comm_create_keyval(copy, remove, keyval, extra_state);
}

int ferry::mpi::impl::MPI_Keyval_free(int* keyval) {
  return impl::MPI_Comm_free_keyval(keyval);
}

int ferry::mpi::impl::MPI_Attr_put(MPI_Comm handle, int keyval, void* value) {
  return impl::MPI_Comm_set_attr(handle, keyval, value);
}

int ferry::mpi::impl::MPI_Attr_get(MPI_Comm handle, int keyval, void* value, int* flag) {
  return impl::MPI_Comm_get_attr(handle, keyval, value, flag);
}

int ferry::mpi::impl::MPI_Attr_delete(MPI_Comm handle, int keyval) {
  return impl::MPI_Comm_delete_attr(handle, keyval);
}

#pragma GCC diagnostic pop

// Info hints on hybrid communicators are accepted and not used (the standard allows it).

int ferry::mpi::impl::MPI_Comm_set_info(MPI_Comm /*handle*/, MPI_Info /*info*/) {
  return MPI_SUCCESS;
}

int ferry::mpi::impl::MPI_Comm_get_info(MPI_Comm /*handle*/, MPI_Info* info) {
  return PMPI_Info_create(info);
}
