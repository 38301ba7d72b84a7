// Shared file pointers and ordered access on hybrid files. The pointer is one counter for
// the group (SharedPointer, in etypes of the view); a rank takes its range from it with
// one atomic fetch-and-add and accesses that range at an explicit offset through its own
// handle. Ordered access takes the whole group's range at once and hands each rank its
// part in rank order.

#include "mpi_shim/io/shared_access.hpp"

#include <mpi.h>

#include <cstdint>
#include <numeric>
#include <string>
#include <vector>

#include "mpi_shim/communicator.hpp"
#include "mpi_shim/io/own_handle.hpp"
#include "mpi_shim/surface/implementations.hpp"
#include "runtime/common/error.hpp"

namespace ferry::mpi {

namespace {

/// `count` elements of `type` in etypes of the file's view.
int64_t etypes_of(const File& file, int count, MPI_Datatype type) {
  int type_size = 0;
  PMPI_Type_size(type, &type_size);
  return int64_t(count) * type_size / file.etype_size;
}

/// Raises the failure of a shared-pointer step (its side file) as an I/O error.
template <class Body>
int shared_step(File& file, const char* function, Body&& body) {
  try {
    return body();
  } catch (const std::exception& error) {
    return raise(file, MPI_ERR_IO, function, error.what());
  }
}

/// Where this rank's part of an ordered access of `mine` etypes starts: the shared
/// pointer as it was, plus the parts of the ranks before; the pointer moves past all
/// parts. Collective; every rank throws alike when rank 0 cannot move the pointer.
int64_t ordered_offset(File& file, int64_t mine) {
  Comm& comm = *file.comm;
  std::vector<int64_t> parts(size_t(comm.size()));
  allgather_bytes(comm, &mine, sizeof mine, parts.data());
  struct {
    int64_t base = 0;
    int64_t failed = 0;
  } start;
  std::string failure;
  if (comm.rank == 0) {
    try {
      start.base = file.shared->fetch_add(std::accumulate(parts.begin(), parts.end(), int64_t(0)));
    } catch (const std::exception& error) {
      start.failed = 1;
      failure = error.what();
    }
  }
  impl::MPI_Bcast(&start, 2, MPI_INT64_T, 0, handle_of(&comm));
  if (start.failed != 0) throw Error(Errc::system, comm.rank == 0 ? failure : "rank 0 could not move the shared file pointer");
  return std::accumulate(parts.begin(), parts.begin() + comm.rank, start.base);
}

/// Collective: rank 0 moves the pointer with `move` (which returns an MPI error code) once
/// no rank uses it any more; every rank raises the outcome as `function`.
template <class Move>
int move_collectively(File& file, const char* function, Move&& move) {
  impl::MPI_Barrier(handle_of(file.comm));
  int code = MPI_SUCCESS;
  if (file.comm->rank == 0) {
    try {
      code = move();
    } catch (const std::exception&) {
      code = MPI_ERR_IO;
    }
  }
  impl::MPI_Bcast(&code, 1, MPI_INT, 0, handle_of(file.comm));
  return code == MPI_SUCCESS ? code : raise(file, code, function);
}

/// The shared pointer after MPI_File_seek_shared(offset, MPI_SEEK_END): rank 0's own
/// handle knows the end of the file in etypes of the view; its individual pointer stays.
int64_t end_of_view(File& file, MPI_Offset offset) {
  ShimScope scope;
  MPI_Offset kept = 0, end = 0;
  PMPI_File_get_position(file.own, &kept);
  int code = PMPI_File_seek(file.own, offset, MPI_SEEK_END);
  if (code == MPI_SUCCESS) code = PMPI_File_get_position(file.own, &end);
  PMPI_File_seek(file.own, kept, MPI_SEEK_SET);
  if (code != MPI_SUCCESS) throw Error(Errc::invalid_argument, "the end of the file is not in the view");
  return end;
}

}  // namespace

int reset_shared_pointer(File& file, const char* function) {
  return move_collectively(file, function, [&] {
    file.shared->reset();
    return MPI_SUCCESS;
  });
}

}  // namespace ferry::mpi

using namespace ferry::mpi;

int ferry::mpi::impl::MPI_File_write_shared(MPI_File fh, const void* buf, int count, MPI_Datatype datatype,
                                            MPI_Status* status) {
  File& file = *hybrid(fh);
  return shared_step(file, "MPI_File_write_shared", [&] {
    const int64_t offset = file.shared->fetch_add(etypes_of(file, count, datatype));
    return on_own_handle(file, "MPI_File_write_shared", [&](MPI_File own) {
      return PMPI_File_write_at(own, offset, buf, count, datatype, status);
    });
  });
}

int ferry::mpi::impl::MPI_File_read_shared(MPI_File fh, void* buf, int count, MPI_Datatype datatype,
                                           MPI_Status* status) {
  File& file = *hybrid(fh);
  return shared_step(file, "MPI_File_read_shared", [&] {
    const int64_t offset = file.shared->fetch_add(etypes_of(file, count, datatype));
    return on_own_handle(file, "MPI_File_read_shared", [&](MPI_File own) {
      return PMPI_File_read_at(own, offset, buf, count, datatype, status);
    });
  });
}

int ferry::mpi::impl::MPI_File_iwrite_shared(MPI_File fh, const void* buf, int count, MPI_Datatype datatype,
                                             MPI_Request* request) {
  File& file = *hybrid(fh);
  return shared_step(file, "MPI_File_iwrite_shared", [&] {
    const int64_t offset = file.shared->fetch_add(etypes_of(file, count, datatype));
    return on_own_handle(file, "MPI_File_iwrite_shared", [&](MPI_File own) {
      return PMPI_File_iwrite_at(own, offset, buf, count, datatype, request);
    });
  });
}

int ferry::mpi::impl::MPI_File_iread_shared(MPI_File fh, void* buf, int count, MPI_Datatype datatype,
                                            MPI_Request* request) {
  File& file = *hybrid(fh);
  return shared_step(file, "MPI_File_iread_shared", [&] {
    const int64_t offset = file.shared->fetch_add(etypes_of(file, count, datatype));
    return on_own_handle(file, "MPI_File_iread_shared", [&](MPI_File own) {
      return PMPI_File_iread_at(own, offset, buf, count, datatype, request);
    });
  });
}

int ferry::mpi::impl::MPI_File_write_ordered(MPI_File fh, const void* buf, int count, MPI_Datatype datatype,
                                             MPI_Status* status) {
  File& file = *hybrid(fh);
  return shared_step(file, "MPI_File_write_ordered", [&] {
    const int64_t offset = ordered_offset(file, etypes_of(file, count, datatype));
    return on_own_handle(file, "MPI_File_write_ordered", [&](MPI_File own) {
      return PMPI_File_write_at_all(own, offset, buf, count, datatype, status);
    });
  });
}

int ferry::mpi::impl::MPI_File_read_ordered(MPI_File fh, void* buf, int count, MPI_Datatype datatype,
                                            MPI_Status* status) {
  File& file = *hybrid(fh);
  return shared_step(file, "MPI_File_read_ordered", [&] {
    const int64_t offset = ordered_offset(file, etypes_of(file, count, datatype));
    return on_own_handle(file, "MPI_File_read_ordered", [&](MPI_File own) {
      return PMPI_File_read_at_all(own, offset, buf, count, datatype, status);
    });
  });
}

int ferry::mpi::impl::MPI_File_seek_shared(MPI_File fh, MPI_Offset offset, int whence) {
  File& file = *hybrid(fh);
  const bool known = whence == MPI_SEEK_SET || whence == MPI_SEEK_CUR || whence == MPI_SEEK_END;
  // Rank 0's arguments decide (MPI requires the same on all ranks); every rank takes part.
  const int code = move_collectively(file, "MPI_File_seek_shared", [&] {
    if (!known) return MPI_ERR_ARG;
    SharedPointer& pointer = *file.shared;
    int64_t target = offset;
    if (whence == MPI_SEEK_CUR) target += pointer.load();
    if (whence == MPI_SEEK_END) target = end_of_view(file, offset);
    if (target < 0) return MPI_ERR_ARG;
    pointer.store(target);
    return MPI_SUCCESS;
  });
  if (code == MPI_SUCCESS && !known) {
    return raise(file, MPI_ERR_ARG, "MPI_File_seek_shared", "whence is not MPI_SEEK_SET, _CUR or _END");
  }
  return code;
}

int ferry::mpi::impl::MPI_File_get_position_shared(MPI_File fh, MPI_Offset* offset) {
  File& file = *hybrid(fh);
  return shared_step(file, "MPI_File_get_position_shared", [&] {
    *offset = file.shared->load();
    return MPI_SUCCESS;
  });
}
