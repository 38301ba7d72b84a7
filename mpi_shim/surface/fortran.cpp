#include "mpi_shim/surface/fortran.hpp"

#include <dlfcn.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <unordered_map>

#include "mpi_shim/communicator.hpp"
#include "mpi_shim/errors.hpp"
#include "mpi_shim/io/file.hpp"
#include "mpi_shim/request.hpp"
#include "mpi_shim/rma/window.hpp"
#include "mpi_shim/surface/hybrid_check.hpp"
#include "mpi_shim/world.hpp"

namespace ferry::mpi {
bool is_shim_message(MPI_Message handle) noexcept;  // probe.cpp
}

namespace ferry::mpi::fortran {

namespace {

// Fortran handles of shim objects, above every index Open MPI hands out. One table for
// communicators, groups and messages: a handle names one object, whatever its kind.
// Requests, made and freed by the million, take their place in the request pool as their
// handle, which costs no lookup and no allocation.
using detail::first_handle;
constexpr MPI_Fint first_request_handle = 1 << 30;
// Open MPI lays out a Fortran status, INTEGER(MPI_STATUS_SIZE) or TYPE(MPI_Status), as its
// C MPI_Status (MPI_Status_c2f copies it field by field), so statuses are copied whole.
static_assert(sizeof(MPI_Status) == 6 * sizeof(MPI_Fint), "Open MPI 4.1's MPI_STATUS_SIZE is 6");

class HandleTable {
 public:
  MPI_Fint handle_of(const void* object) {
    const auto found = handles_.find(object);
    if (found != handles_.end()) return found->second;
    size_t slot;
    if (!free_.empty()) {
      slot = free_.back();
      free_.pop_back();
      objects_[slot] = object;
    } else {
      slot = objects_.size();
      objects_.push_back(object);
    }
    const MPI_Fint handle = first_handle + MPI_Fint(slot);
    handles_.emplace(object, handle);
    return handle;
  }

  const void* object_of(MPI_Fint handle) const noexcept {
    const size_t slot = size_t(handle - first_handle);
    return slot < objects_.size() ? objects_[slot] : nullptr;
  }

  void forget(const void* object) noexcept {
    if (handles_.empty()) return;
    const auto found = handles_.find(object);
    if (found == handles_.end()) return;
    const size_t slot = size_t(found->second - first_handle);
    objects_[slot] = nullptr;
    free_.push_back(slot);
    handles_.erase(found);
  }

 private:
  std::vector<const void*> objects_;
  std::vector<size_t> free_;
  std::unordered_map<const void*, MPI_Fint> handles_;
};

HandleTable& table() {
  static HandleTable instance;
  return instance;
}

bool in_shim_range(MPI_Fint handle) noexcept { return handle >= first_handle; }

template <class Handle>
Handle shim_object(MPI_Fint handle, Handle null_handle) noexcept {
  const void* object = table().object_of(handle);
  return object ? reinterpret_cast<Handle>(const_cast<void*>(object)) : null_handle;
}

}  // namespace

namespace detail {

Sentinel::Sentinel(const char* name) {
  const std::string lower = std::string("mpi_fortran_") + name;
  std::string upper = lower;
  std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
  size_t found = 0;
  for (const std::string& symbol : {lower, lower + "_", lower + "__", upper}) {
    if (void* address = dlsym(RTLD_DEFAULT, symbol.c_str())) addresses[found++] = address;
  }
}

Sentinels::Sentinels() noexcept {
  for (const Sentinel* sentinel : {&bottom, &in_place, &status_ignore, &statuses_ignore, &unweighted, &weights_empty,
                                   &errcodes_ignore, &argv_null, &argvs_null}) {
    for (const void* address : sentinel->addresses) {
      if (address == nullptr) continue;
      if (lowest == nullptr || address < lowest) lowest = address;
      if (highest == nullptr || address > highest) highest = address;
    }
  }
}

const Sentinels* loaded_sentinels = nullptr;
const Sentinels& load_sentinels() noexcept {
  if (loaded_sentinels == nullptr) loaded_sentinels = new Sentinels();
  return *loaded_sentinels;
}

MPI_Datatype predefined_datatypes[cached_datatypes] = {};
bool derived_datatypes[cached_datatypes] = {};

MPI_Datatype datatype_to_c(MPI_Fint handle) noexcept {
  const MPI_Datatype type = PMPI_Type_f2c(handle);
  if (handle < 0 || handle >= cached_datatypes || derived_datatypes[handle] || type == MPI_DATATYPE_NULL) return type;
  int integers = 0, addresses = 0, datatypes = 0, combiner = MPI_UNDEFINED;
  if (PMPI_Type_get_envelope(type, &integers, &addresses, &datatypes, &combiner) != MPI_SUCCESS) return type;
  if (combiner == MPI_COMBINER_NAMED) {
    predefined_datatypes[handle] = type;
  } else {
    derived_datatypes[handle] = true;
  }
  return type;
}

}  // namespace detail

void* open_mpi_symbol(const char* symbol) noexcept {
  void* found = dlsym(RTLD_DEFAULT, symbol);
  if (found == nullptr) abort_job(MPI_ERR_INTERN, std::string("Open MPI's Fortran binding lacks ") + symbol);
  return found;
}

MPI_Fint detail::world_handle = -1;

void learn_world_handle() noexcept { detail::world_handle = PMPI_Comm_c2f(MPI_COMM_WORLD); }

MPI_Comm detail::derived_comm_to_c(MPI_Fint handle) noexcept {
  return in_shim_range(handle) ? shim_object(handle, MPI_COMM_NULL) : PMPI_Comm_f2c(handle);
}
template <> MPI_Group to_c<MPI_Group>(MPI_Fint handle) noexcept {
  return in_shim_range(handle) ? shim_object(handle, MPI_GROUP_NULL) : PMPI_Group_f2c(handle);
}
template <> MPI_Request to_c<MPI_Request>(MPI_Fint handle) noexcept {
  if (handle < first_handle) return PMPI_Request_f2c(handle);
  Request* request = handle >= first_request_handle ? pooled_request(size_t(handle - first_request_handle)) : nullptr;
  return request != nullptr ? handle_of(request) : MPI_REQUEST_NULL;
}
template <> MPI_Message to_c<MPI_Message>(MPI_Fint handle) noexcept {
  return in_shim_range(handle) ? shim_object(handle, MPI_MESSAGE_NULL) : PMPI_Message_f2c(handle);
}
template <> MPI_Op to_c<MPI_Op>(MPI_Fint handle) noexcept { return PMPI_Op_f2c(handle); }
template <> MPI_Errhandler to_c<MPI_Errhandler>(MPI_Fint handle) noexcept { return PMPI_Errhandler_f2c(handle); }
template <> MPI_Info to_c<MPI_Info>(MPI_Fint handle) noexcept { return PMPI_Info_f2c(handle); }
template <> MPI_Win to_c<MPI_Win>(MPI_Fint handle) noexcept {
  return in_shim_range(handle) ? shim_object(handle, MPI_WIN_NULL) : PMPI_Win_f2c(handle);
}
template <> MPI_File to_c<MPI_File>(MPI_Fint handle) noexcept {
  return in_shim_range(handle) ? shim_object(handle, MPI_FILE_NULL) : PMPI_File_f2c(handle);
}

MPI_Fint to_fortran(MPI_Comm handle) {
  if (handle != MPI_COMM_WORLD && hybrid(handle) != nullptr) return table().handle_of(handle);
  return PMPI_Comm_c2f(handle);
}
MPI_Fint to_fortran(MPI_Group handle) {
  return hybrid(handle) != nullptr ? table().handle_of(handle) : PMPI_Group_c2f(handle);
}
MPI_Fint to_fortran(MPI_Request handle) {
  const size_t index = shim_request_index(handle);
  return index != SIZE_MAX ? first_request_handle + MPI_Fint(index) : PMPI_Request_c2f(handle);
}
MPI_Fint to_fortran(MPI_Message handle) {
  return is_shim_message(handle) ? table().handle_of(handle) : PMPI_Message_c2f(handle);
}
MPI_Fint to_fortran(MPI_Datatype handle) noexcept { return PMPI_Type_c2f(handle); }
MPI_Fint to_fortran(MPI_Op handle) noexcept { return PMPI_Op_c2f(handle); }
MPI_Fint to_fortran(MPI_Errhandler handle) noexcept { return PMPI_Errhandler_c2f(handle); }
MPI_Fint to_fortran(MPI_Info handle) noexcept { return PMPI_Info_c2f(handle); }
MPI_Fint to_fortran(MPI_Win handle) {
  return hybrid(handle) != nullptr ? table().handle_of(handle) : PMPI_Win_c2f(handle);
}
MPI_Fint to_fortran(MPI_File handle) {
  return hybrid(handle) != nullptr ? table().handle_of(handle) : PMPI_File_c2f(handle);
}

bool shim_group(const MPI_Fint* handle) noexcept { return in_shim_range(*handle); }
bool shim_request(const MPI_Fint* handle) noexcept { return in_shim_range(*handle); }
bool shim_message(const MPI_Fint* handle) noexcept { return in_shim_range(*handle); }
bool shim_win(const MPI_Fint* handle) noexcept { return in_shim_range(*handle); }
bool shim_file(const MPI_Fint* handle) noexcept { return in_shim_range(*handle); }
bool any_shim_request(const MPI_Fint* handles, MPI_Fint count) noexcept {
  if (handles == nullptr) return false;
  return std::any_of(handles, handles + std::max<MPI_Fint>(count, 0), in_shim_range);
}

void forget(const void* object) noexcept { table().forget(object); }

const int* weights(const MPI_Fint* address) noexcept { return weights(const_cast<MPI_Fint*>(address)); }

int* weights(MPI_Fint* address) noexcept {
  if (detail::sentinels().unweighted.is(address)) return MPI_UNWEIGHTED;
  if (detail::sentinels().weights_empty.is(address)) return MPI_WEIGHTS_EMPTY;
  return address;
}

Statuses::Statuses(MPI_Fint* fortran, MPI_Fint count)
    : fortran_(fortran), ignored_(fortran == nullptr || detail::sentinels().statuses_ignore.is(fortran)) {
  if (ignored_) return;
  c_.resize(size_t(std::max<MPI_Fint>(count, 0)));
  std::memcpy(c_.data(), fortran_, c_.size() * sizeof(MPI_Status));
}

void Statuses::write_back() noexcept {
  if (!ignored_ && !c_.empty()) std::memcpy(fortran_, c_.data(), c_.size() * sizeof(MPI_Status));
}

Logicals::Logicals(MPI_Fint* fortran, MPI_Fint count, bool read)
    : fortran_(fortran), c_(size_t(std::max<MPI_Fint>(count, 0)), 0) {
  if (read && fortran_)
    for (size_t i = 0; i < c_.size(); ++i) c_[i] = fortran_[i] != 0;
}

void Logicals::write_back() noexcept {
  for (size_t i = 0; fortran_ && i < c_.size(); ++i) fortran_[i] = logical(c_[i]);
}

void one_based(MPI_Fint* indices, MPI_Fint count) noexcept {
  if (indices == nullptr || count == MPI_UNDEFINED) return;
  for (MPI_Fint i = 0; i < count; ++i)
    if (indices[i] != MPI_UNDEFINED) ++indices[i];
}

std::string trimmed(const char* fortran, size_t length) {
  if (fortran == nullptr) return {};
  while (length > 0 && fortran[length - 1] == ' ') --length;
  size_t start = 0;
  while (start < length && fortran[start] == ' ') ++start;
  return std::string(fortran + start, length - start);
}

void blank_padded(const char* c, char* fortran, size_t length) noexcept {
  if (fortran == nullptr) return;
  const size_t used = std::min(std::strlen(c), length);
  std::memcpy(fortran, c, used);
  std::memset(fortran + used, ' ', length - used);
}

MPI_Aint attribute_value(int keyval, void* c_value) noexcept {
  const bool predefined = keyval == MPI_TAG_UB || keyval == MPI_HOST || keyval == MPI_IO ||
                          keyval == MPI_WTIME_IS_GLOBAL || keyval == MPI_APPNUM || keyval == MPI_UNIVERSE_SIZE ||
                          keyval == MPI_LASTUSEDCODE;
  if (predefined) return c_value ? MPI_Aint(*static_cast<int*>(c_value)) : 0;
  // A window's predefined attributes: its base is an address, its size an MPI_Aint.
  const bool window_integer = keyval == MPI_WIN_DISP_UNIT || keyval == MPI_WIN_CREATE_FLAVOR || keyval == MPI_WIN_MODEL;
  if (window_integer) return c_value ? MPI_Aint(*static_cast<int*>(c_value)) : 0;
  if (keyval == MPI_WIN_SIZE) return c_value ? *static_cast<MPI_Aint*>(c_value) : 0;
  return reinterpret_cast<MPI_Aint>(c_value);
}

int peer_count(MPI_Comm comm) noexcept {
  int inter = 0, size = 0;
  MPI_Comm_test_inter(comm, &inter);
  if (inter != 0) {
    MPI_Comm_remote_size(comm, &size);
  } else {
    MPI_Comm_size(comm, &size);
  }
  return size;
}

int cartdim(MPI_Comm comm) noexcept {
  int dims = 0;
  MPI_Cartdim_get(comm, &dims);
  return dims;
}

namespace {
void degrees(MPI_Comm comm, int* in, int* out) noexcept {
  int kind = MPI_UNDEFINED, rank = 0;
  *in = *out = 0;
  MPI_Topo_test(comm, &kind);
  if (kind == MPI_CART) {
    *in = *out = 2 * cartdim(comm);
  } else if (kind == MPI_GRAPH) {
    MPI_Comm_rank(comm, &rank);
    MPI_Graph_neighbors_count(comm, rank, in);
    *out = *in;
  } else if (kind == MPI_DIST_GRAPH) {
    int weighted = 0;
    MPI_Dist_graph_neighbors_count(comm, in, out, &weighted);
  }
}
}  // namespace

int indegree(MPI_Comm comm) noexcept {
  int in = 0, out = 0;
  degrees(comm, &in, &out);
  return in;
}

int outdegree(MPI_Comm comm) noexcept {
  int in = 0, out = 0;
  degrees(comm, &in, &out);
  return out;
}

void refuse(const char* function, MPI_Comm comm, MPI_Fint* ierror) noexcept {
  surface::HybridCheck check;
  check.check(comm);
  const int code = check.refuse(function);
  if (ierror) *ierror = code;
}

void failed(const char* function, MPI_Fint* ierror) noexcept {
  const int code = surface::HybridCheck().fail(MPI_ERR_INTERN, function, "an error in the Fortran binding");
  if (ierror) *ierror = code;
}

}  // namespace ferry::mpi::fortran
