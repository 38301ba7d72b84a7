#pragma once
// What the generated Fortran entry points use to turn Fortran arguments into C ones and
// back: handles (the shim's own objects get Fortran integers from the shim, the rest are
// Open MPI's), sentinels, statuses, LOGICALs, strings with hidden lengths, attribute values.

#include <mpi.h>

#include <cstddef>
#include <string>
#include <vector>

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
template <> MPI_Comm to_c<MPI_Comm>(MPI_Fint handle) noexcept;
template <> MPI_Group to_c<MPI_Group>(MPI_Fint handle) noexcept;
template <> MPI_Request to_c<MPI_Request>(MPI_Fint handle) noexcept;
template <> MPI_Message to_c<MPI_Message>(MPI_Fint handle) noexcept;
template <> MPI_Datatype to_c<MPI_Datatype>(MPI_Fint handle) noexcept;
template <> MPI_Op to_c<MPI_Op>(MPI_Fint handle) noexcept;
template <> MPI_Errhandler to_c<MPI_Errhandler>(MPI_Fint handle) noexcept;
template <> MPI_Info to_c<MPI_Info>(MPI_Fint handle) noexcept;

MPI_Fint to_fortran(MPI_Comm handle);
MPI_Fint to_fortran(MPI_Group handle);
MPI_Fint to_fortran(MPI_Request handle);
MPI_Fint to_fortran(MPI_Message handle);
MPI_Fint to_fortran(MPI_Datatype handle) noexcept;
MPI_Fint to_fortran(MPI_Op handle) noexcept;
MPI_Fint to_fortran(MPI_Errhandler handle) noexcept;
MPI_Fint to_fortran(MPI_Info handle) noexcept;

template <class Handle>
Handle null() noexcept;
template <> inline MPI_Comm null<MPI_Comm>() noexcept { return MPI_COMM_NULL; }
template <> inline MPI_Group null<MPI_Group>() noexcept { return MPI_GROUP_NULL; }
template <> inline MPI_Request null<MPI_Request>() noexcept { return MPI_REQUEST_NULL; }
template <> inline MPI_Message null<MPI_Message>() noexcept { return MPI_MESSAGE_NULL; }
template <> inline MPI_Errhandler null<MPI_Errhandler>() noexcept { return MPI_ERRHANDLER_NULL; }
template <> inline MPI_Info null<MPI_Info>() noexcept { return MPI_INFO_NULL; }

/// True when the Fortran handle is a shim object (MPI_COMM_WORLD is one in a hybrid job).
bool shim_comm(const MPI_Fint* handle) noexcept;
bool shim_group(const MPI_Fint* handle) noexcept;
bool shim_request(const MPI_Fint* handle) noexcept;
bool shim_message(const MPI_Fint* handle) noexcept;
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
  std::vector<Handle> c_;
};

// Sentinels: Open MPI's Fortran constants are the addresses of its common blocks.
void* buffer(void* address) noexcept;  ///< MPI_BOTTOM and MPI_IN_PLACE to C's
const int* weights(const MPI_Fint* address) noexcept;  ///< MPI_UNWEIGHTED, MPI_WEIGHTS_EMPTY
int* weights(MPI_Fint* address) noexcept;

/// The C status for a Fortran one (MPI_STATUS_IGNORE stays one), with the caller's values
/// in it: calls that complete one operation leave MPI_ERROR as it was.
MPI_Status* status_in(MPI_Fint* fortran, MPI_Status* c) noexcept;
void status_out(const MPI_Status* c, MPI_Fint* fortran) noexcept;

class Statuses {
 public:
  Statuses(MPI_Fint* fortran, MPI_Fint count);
  MPI_Status* data() noexcept { return ignored_ ? MPI_STATUSES_IGNORE : c_.data(); }
  void write_back() noexcept;

 private:
  MPI_Fint* fortran_;
  bool ignored_;
  std::vector<MPI_Status> c_;
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
  std::vector<int> c_;
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

/// Number of dimensions, neighbours and members: the lengths of some array arguments.
int comm_size(MPI_Comm comm) noexcept;
int cartdim(MPI_Comm comm) noexcept;
int indegree(MPI_Comm comm) noexcept;
int outdegree(MPI_Comm comm) noexcept;

/// A call refused on a hybrid object; and an exception that reached a Fortran entry.
void refuse(const char* function, MPI_Comm comm, MPI_Fint* ierror) noexcept;
void failed(const char* function, MPI_Fint* ierror) noexcept;

/// Forgets the Fortran handle of a shim object that is gone.
void forget(const void* object) noexcept;

}  // namespace ferry::mpi::fortran
