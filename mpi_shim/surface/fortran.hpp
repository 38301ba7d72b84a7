#pragma once
// What the generated Fortran entry points use to turn Fortran arguments into C ones and
// back: handles (the shim's own objects get Fortran integers from the shim, the rest are
// Open MPI's), sentinels, statuses, LOGICALs, strings with hidden lengths, attribute values.

#include <mpi.h>

#include <boost/container/small_vector.hpp>

#include <cstddef>
#include <cstring>
#include <string>
#include <vector>

#include "mpi_shim/world.hpp"

namespace ferry::mpi::fortran {

static_assert(sizeof(MPI_Fint) == sizeof(int), "Fortran INTEGER and C int arrays are passed as they are");

/// Open MPI's entry point `symbol` (its Fortran binding, ompi_*_f); ends the job when the
/// binding is not loaded, which cannot happen in a Fortran program.
void* open_mpi_symbol(const char* symbol) noexcept;
template <class Entry>
Entry open_mpi(const char* symbol) noexcept {
  return reinterpret_cast<Entry>(open_mpi_symbol(symbol));
}

// Handles. A Fortran handle of a shim object is an integer from the shim's own range.
template <class Handle>
Handle to_c(MPI_Fint handle) noexcept;
template <> MPI_Group to_c<MPI_Group>(MPI_Fint handle) noexcept;
template <> MPI_Request to_c<MPI_Request>(MPI_Fint handle) noexcept;
template <> MPI_Message to_c<MPI_Message>(MPI_Fint handle) noexcept;
template <> MPI_Op to_c<MPI_Op>(MPI_Fint handle) noexcept;
template <> MPI_Errhandler to_c<MPI_Errhandler>(MPI_Fint handle) noexcept;
template <> MPI_Info to_c<MPI_Info>(MPI_Fint handle) noexcept;
template <> MPI_Win to_c<MPI_Win>(MPI_Fint handle) noexcept;
template <> MPI_File to_c<MPI_File>(MPI_Fint handle) noexcept;

MPI_Fint to_fortran(MPI_Comm handle);
MPI_Fint to_fortran(MPI_Group handle);
MPI_Fint to_fortran(MPI_Request handle);
MPI_Fint to_fortran(MPI_Message handle);
MPI_Fint to_fortran(MPI_Datatype handle) noexcept;
MPI_Fint to_fortran(MPI_Op handle) noexcept;
MPI_Fint to_fortran(MPI_Errhandler handle) noexcept;
MPI_Fint to_fortran(MPI_Info handle) noexcept;
MPI_Fint to_fortran(MPI_Win handle);
MPI_Fint to_fortran(MPI_File handle);

template <class Handle>
Handle null() noexcept;
template <> inline MPI_Comm null<MPI_Comm>() noexcept { return MPI_COMM_NULL; }
template <> inline MPI_Group null<MPI_Group>() noexcept { return MPI_GROUP_NULL; }
template <> inline MPI_Request null<MPI_Request>() noexcept { return MPI_REQUEST_NULL; }
template <> inline MPI_Message null<MPI_Message>() noexcept { return MPI_MESSAGE_NULL; }
template <> inline MPI_Errhandler null<MPI_Errhandler>() noexcept { return MPI_ERRHANDLER_NULL; }
template <> inline MPI_Info null<MPI_Info>() noexcept { return MPI_INFO_NULL; }
template <> inline MPI_Datatype null<MPI_Datatype>() noexcept { return MPI_DATATYPE_NULL; }
template <> inline MPI_Win null<MPI_Win>() noexcept { return MPI_WIN_NULL; }
template <> inline MPI_File null<MPI_File>() noexcept { return MPI_FILE_NULL; }

namespace detail {
constexpr MPI_Fint first_handle = 1 << 24;  ///< of shim objects; Open MPI's are below
extern MPI_Fint world_handle __attribute__((visibility("hidden")));  ///< MPI_COMM_WORLD's, which most calls name (-1 before MPI_Init)
MPI_Comm derived_comm_to_c(MPI_Fint handle) noexcept;
}  // namespace detail

template <> inline MPI_Comm to_c<MPI_Comm>(MPI_Fint handle) noexcept {
  return handle == detail::world_handle ? MPI_COMM_WORLD : detail::derived_comm_to_c(handle);
}

/// Looks up MPI_COMM_WORLD's Fortran handle, once Open MPI is initialized.
void learn_world_handle() noexcept;

/// True when the Fortran handle is a shim object (MPI_COMM_WORLD is one in a hybrid job).
inline bool shim_comm(const MPI_Fint* handle) noexcept {
  return world().hybrid() && (*handle >= detail::first_handle || *handle == detail::world_handle);
}
bool shim_group(const MPI_Fint* handle) noexcept;
bool shim_request(const MPI_Fint* handle) noexcept;
bool shim_message(const MPI_Fint* handle) noexcept;
bool shim_win(const MPI_Fint* handle) noexcept;
bool shim_file(const MPI_Fint* handle) noexcept;
bool any_shim_request(const MPI_Fint* handles, MPI_Fint count) noexcept;

/// An array of handles converted to C for a call, and back after it.
template <class Handle>
class Handles {
 public:
  Handles(MPI_Fint* fortran, MPI_Fint count, bool read) : fortran_(fortran), c_(count > 0 ? size_t(count) : 0) {
    if (read && fortran_)
      for (size_t i = 0; i < c_.size(); ++i) c_[i] = to_c<Handle>(fortran_[i]);
  }
  Handle* data() noexcept { return fortran_ ? c_.data() : nullptr; }
  void write_back() {
    for (size_t i = 0; fortran_ && i < c_.size(); ++i) fortran_[i] = to_fortran(c_[i]);
  }

 private:
  MPI_Fint* fortran_;
  boost::container::small_vector<Handle, 16> c_;  // the usual arrays cost no allocation
};

namespace detail {
// Datatypes are on the path of every data transfer. The predefined ones never change
// their Fortran handle, so they skip Open MPI's table after the first call; a handle found
// to be a derived type's stays one (predefined handles are never freed, so never reused).
constexpr MPI_Fint cached_datatypes = 256;
extern MPI_Datatype predefined_datatypes[cached_datatypes] __attribute__((visibility("hidden")));
extern bool derived_datatypes[cached_datatypes] __attribute__((visibility("hidden")));
MPI_Datatype datatype_to_c(MPI_Fint handle) noexcept;

// Open MPI's Fortran constants (MPI_BOTTOM, MPI_STATUS_IGNORE, ...) are the addresses of
// its common blocks, one per symbol mangling.
struct Sentinel {
  explicit Sentinel(const char* name);
  bool is(const void* address) const noexcept {
    return address != nullptr && (address == addresses[0] || address == addresses[1] || address == addresses[2] ||
                                  address == addresses[3]);
  }
  const void* addresses[4] = {};
};
struct Sentinels {
  Sentinels() noexcept;
  /// False for addresses outside the range the sentinels span: most buffers and statuses.
  bool may_be_one(const void* address) const noexcept { return address >= lowest && address <= highest; }
  const void* lowest = nullptr;
  const void* highest = nullptr;
  Sentinel bottom{"bottom"};
  Sentinel in_place{"in_place"};
  Sentinel status_ignore{"status_ignore"};
  Sentinel statuses_ignore{"statuses_ignore"};
  Sentinel unweighted{"unweighted"};
  Sentinel weights_empty{"weights_empty"};
  Sentinel errcodes_ignore{"errcodes_ignore"};
  Sentinel argv_null{"argv_null"};
  Sentinel argvs_null{"argvs_null"};
};
// Looked up on the first Fortran call that needs them.
extern const Sentinels* loaded_sentinels __attribute__((visibility("hidden")));
const Sentinels& load_sentinels() noexcept;
inline const Sentinels& sentinels() noexcept {
  return loaded_sentinels != nullptr ? *loaded_sentinels : load_sentinels();
}
}  // namespace detail

template <> inline MPI_Datatype to_c<MPI_Datatype>(MPI_Fint handle) noexcept {
  if (handle >= 0 && handle < detail::cached_datatypes && detail::predefined_datatypes[handle] != nullptr)
    return detail::predefined_datatypes[handle];
  return detail::datatype_to_c(handle);
}

/// MPI_BOTTOM and MPI_IN_PLACE to C's.
inline void* buffer(void* address) noexcept {
  const detail::Sentinels& known = detail::sentinels();
  if (!known.may_be_one(address)) return address;
  if (known.bottom.is(address)) return MPI_BOTTOM;
  if (known.in_place.is(address)) return MPI_IN_PLACE;
  return address;
}
/// MPI_UNWEIGHTED and MPI_WEIGHTS_EMPTY to C's.
int* weights(MPI_Fint* address) noexcept;
const int* weights(const MPI_Fint* address) noexcept;

/// The C status for a Fortran one (MPI_STATUS_IGNORE stays one), with the caller's values
/// in it: calls that complete one operation leave MPI_ERROR as it was.
inline MPI_Status* status_in(MPI_Fint* fortran, MPI_Status* c) noexcept {
  const detail::Sentinels& known = detail::sentinels();
  if (fortran == nullptr || (known.may_be_one(fortran) && known.status_ignore.is(fortran))) return MPI_STATUS_IGNORE;
  std::memcpy(c, fortran, sizeof(MPI_Status));
  return c;
}
inline void status_out(const MPI_Status* c, MPI_Fint* fortran) noexcept {
  if (c != MPI_STATUS_IGNORE) std::memcpy(fortran, c, sizeof(MPI_Status));
}

class Statuses {
 public:
  Statuses(MPI_Fint* fortran, MPI_Fint count);
  MPI_Status* data() noexcept { return ignored_ ? MPI_STATUSES_IGNORE : c_.data(); }
  void write_back() noexcept;

 private:
  MPI_Fint* fortran_;
  bool ignored_;
  boost::container::small_vector<MPI_Status, 16> c_;
};

/// Fortran LOGICAL values of Open MPI's gfortran build.
inline MPI_Fint logical(int value) noexcept { return value ? 1 : 0; }

class Logicals {
 public:
  Logicals(MPI_Fint* fortran, MPI_Fint count, bool read);
  int* data() noexcept { return c_.data(); }
  void write_back() noexcept;

 private:
  MPI_Fint* fortran_;
  boost::container::small_vector<int, 16> c_;
};

/// Turns the first `count` zero-based indices into Fortran's one-based ones (MPI_UNDEFINED stays).
void one_based(MPI_Fint* indices, MPI_Fint count) noexcept;

/// A Fortran string argument without its trailing blanks.
std::string trimmed(const char* fortran, size_t length);
/// Copies a C string into a Fortran one, blank-padded to its length.
void blank_padded(const char* c, char* fortran, size_t length) noexcept;

/// The Fortran value of attribute `keyval`: an address-sized integer; the predefined
/// attributes, whose C values point to an int, give that int.
MPI_Aint attribute_value(int keyval, void* c_value) noexcept;

/// Number of dimensions, neighbours and ranks addressed (the remote group's size on an
/// intercommunicator): the lengths of some array arguments.
int peer_count(MPI_Comm comm) noexcept;
int cartdim(MPI_Comm comm) noexcept;
int indegree(MPI_Comm comm) noexcept;
int outdegree(MPI_Comm comm) noexcept;

/// A call refused on a hybrid object; and an exception that reached a Fortran entry.
void refuse(const char* function, MPI_Comm comm, MPI_Fint* ierror) noexcept;
void failed(const char* function, MPI_Fint* ierror) noexcept;

/// Forgets the Fortran handle of a shim object that is gone.
void forget(const void* object) noexcept;

}  // namespace ferry::mpi::fortran
