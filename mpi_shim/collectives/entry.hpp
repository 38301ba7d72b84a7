#pragma once
// What every collective entry point on a hybrid communicator shares: argument checks
// that answer with Open MPI's error classes, and running or starting the task with
// errors (exceptions included) turned into the communicator's error handler.

#include <mpi.h>

#include <exception>
#include <initializer_list>
#include <span>
#include <vector>

#include "mpi_shim/collectives/algorithms.hpp"
#include "mpi_shim/collectives/task.hpp"
#include "mpi_shim/communicator.hpp"
#include "mpi_shim/errors.hpp"
#include "mpi_shim/request.hpp"

namespace ferry::mpi {

/// The first code that is not MPI_SUCCESS, or MPI_SUCCESS.
int first_error(std::initializer_list<int> codes) noexcept;
int check_count(int count) noexcept;
/// MPI_DATATYPE_NULL and datatypes that are not committed.
int check_type(MPI_Datatype type) noexcept;
/// MPI_OP_NULL, and an operation Open MPI does not define on `type` (a datatype that is
/// not valid is check_type's to report).
int check_op(MPI_Op op, MPI_Datatype type) noexcept;
int check_root(const Comm& comm, int root) noexcept;
/// Checks a (buffer, count, type) argument and rejects MPI_IN_PLACE where it is not allowed.
int check_data(const void* buffer, int count, MPI_Datatype type, bool in_place_allowed) noexcept;
/// The same, and a null buffer that `count` elements of `type` would be reached through.
int check_buffer(const void* buffer, int count, MPI_Datatype type, bool in_place_allowed) noexcept;
/// MPI_IN_PLACE given for a receive buffer.
int check_not_in_place_receive(const void* receive) noexcept;
/// Checks one count per rank: `entries` of them (`comm`'s size).
int check_counts(int entries, const int* counts) noexcept;
int check_counts(const Comm& comm, const int* counts) noexcept;
/// Checks one count and one displacement per rank.
int check_counts(int entries, const int* counts, const int* displs) noexcept;
int check_counts(const Comm& comm, const int* counts, const int* displs) noexcept;
/// Checks one datatype per rank.
int check_types(int entries, const MPI_Datatype* types) noexcept;

/// A per-rank array of `entries` elements, copied (a nonblocking call outlives the caller's).
std::vector<int> copy_array(int entries, const int* values);
/// The counts and displacements of `entries` blocks of `count` elements one after another.
std::vector<int> uniform_counts(int entries, int count);
std::vector<int> uniform_displs(int entries, int count);
/// The blocks of an all-to-all: displacements in elements of `type`, or in bytes with `types`.
std::vector<Block> blocks(int entries, const int* counts, const int* displs, MPI_Datatype type);
std::vector<Block> blocks(int entries, const int* counts, const int* displs, const MPI_Datatype* types);

/// Runs a blocking collective made by `make` (a callable returning Task).
template <class MakeTask>
int complete(Comm& comm, const char* function, MakeTask&& make) noexcept {
  try {
    Task task = make();
    const int code = run(task, comm);
    return code == MPI_SUCCESS ? code : raise(&comm, code, function, task.detail());
  } catch (const std::exception& error) {
    return raise(&comm, MPI_ERR_INTERN, function, error.what());
  }
}

/// Replaces each of `types` by a held duplicate (see HeldType) that the caller keeps, so
/// that a nonblocking collective outlives the user's MPI_Type_free of its types. Null
/// entries (types the call ignores, which may hold anything) are skipped.
std::vector<HeldType> hold_types(std::span<MPI_Datatype* const> types);

/// Starts a nonblocking collective made by `make`; its request completes with the task.
template <class MakeTask>
int start(Comm& comm, const char* function, MPI_Request* request, std::span<MPI_Datatype* const> types,
          MakeTask&& make) noexcept {
  try {
    std::vector<HeldType> held = hold_types(types);
    *request = start_collective(comm, std::make_unique<Task>(make()), std::move(held));
    return MPI_SUCCESS;
  } catch (const std::exception& error) {
    return raise(&comm, MPI_ERR_INTERN, function, error.what());
  }
}

/// A collective after its argument checks gave `check`: blocking when `request` is null,
/// nonblocking otherwise. `types` are the datatypes the task uses (which `make` must read
/// through the same variables): a nonblocking one holds them until it completes.
template <class MakeTask>
int collective(Comm& comm, const char* function, int check, MPI_Request* request,
               std::span<MPI_Datatype* const> types, MakeTask&& make) noexcept {
  if (check != MPI_SUCCESS) return raise(&comm, check, function);
  return request == nullptr ? complete(comm, function, make) : start(comm, function, request, types, make);
}
template <class MakeTask>
int collective(Comm& comm, const char* function, int check, MPI_Request* request,
               std::initializer_list<MPI_Datatype*> types, MakeTask&& make) noexcept {
  return collective(comm, function, check, request, std::span<MPI_Datatype* const>(types.begin(), types.size()), make);
}

/// Nonblocking entry points reject a null request pointer before anything else.
inline int check_request(Comm& comm, const char* function, MPI_Request* request) noexcept {
  return request == nullptr ? raise(&comm, MPI_ERR_REQUEST, function) : MPI_SUCCESS;
}

}  // namespace ferry::mpi
