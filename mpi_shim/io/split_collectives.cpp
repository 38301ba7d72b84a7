// Split collective data access on hybrid files. A _begin call does the whole collective
// access (MPI allows it to complete there) and keeps its status; the matching _end call
// hands the status out. One split collective at a time per file.

#include <mpi.h>

#include "mpi_shim/errors.hpp"
#include "mpi_shim/io/file.hpp"
#include "mpi_shim/surface/implementations.hpp"

namespace ferry::mpi {

namespace {

/// Runs `access(status)` as the split collective of the file behind `handle` begun with `buffer`.
template <class Access>
int begin_split(MPI_File handle, const void* buffer, const char* function, Access&& access) {
  File& file = *hybrid(handle);
  if (file.split.active) return raise(file, MPI_ERR_OTHER, function, "a split collective is outstanding on the file");
  const int code = access(&file.split.status);
  if (code != MPI_SUCCESS) return code;
  file.split.active = true;
  file.split.buffer = buffer;
  return MPI_SUCCESS;
}

int end_split(MPI_File handle, const void* buffer, MPI_Status* status, const char* function) {
  File& file = *hybrid(handle);
  if (!file.split.active) return raise(file, MPI_ERR_OTHER, function, "no split collective was begun on the file");
  if (file.split.buffer != buffer) return raise(file, MPI_ERR_BUFFER, function, "not the buffer the split collective began with");
  file.split.active = false;
  if (status != MPI_STATUS_IGNORE) *status = file.split.status;
  return MPI_SUCCESS;
}

}  // namespace

}  // namespace ferry::mpi

using namespace ferry::mpi;

int ferry::mpi::impl::MPI_File_read_all_begin(MPI_File fh, void* buf, int count, MPI_Datatype datatype) {
  return begin_split(fh, buf, "MPI_File_read_all_begin",
                     [&](MPI_Status* status) { return impl::MPI_File_read_all(fh, buf, count, datatype, status); });
}

int ferry::mpi::impl::MPI_File_read_all_end(MPI_File fh, void* buf, MPI_Status* status) {
  return end_split(fh, buf, status, "MPI_File_read_all_end");
}

int ferry::mpi::impl::MPI_File_write_all_begin(MPI_File fh, const void* buf, int count, MPI_Datatype datatype) {
  return begin_split(fh, buf, "MPI_File_write_all_begin",
                     [&](MPI_Status* status) { return impl::MPI_File_write_all(fh, buf, count, datatype, status); });
}

int ferry::mpi::impl::MPI_File_write_all_end(MPI_File fh, const void* buf, MPI_Status* status) {
  return end_split(fh, buf, status, "MPI_File_write_all_end");
}

int ferry::mpi::impl::MPI_File_read_at_all_begin(MPI_File fh, MPI_Offset offset, void* buf, int count,
                                                 MPI_Datatype datatype) {
  return begin_split(fh, buf, "MPI_File_read_at_all_begin", [&](MPI_Status* status) {
    return impl::MPI_File_read_at_all(fh, offset, buf, count, datatype, status);
  });
}

int ferry::mpi::impl::MPI_File_read_at_all_end(MPI_File fh, void* buf, MPI_Status* status) {
  return end_split(fh, buf, status, "MPI_File_read_at_all_end");
}

int ferry::mpi::impl::MPI_File_write_at_all_begin(MPI_File fh, MPI_Offset offset, const void* buf, int count,
                                                  MPI_Datatype datatype) {
  return begin_split(fh, buf, "MPI_File_write_at_all_begin", [&](MPI_Status* status) {
    return impl::MPI_File_write_at_all(fh, offset, buf, count, datatype, status);
  });
}

int ferry::mpi::impl::MPI_File_write_at_all_end(MPI_File fh, const void* buf, MPI_Status* status) {
  return end_split(fh, buf, status, "MPI_File_write_at_all_end");
}

int ferry::mpi::impl::MPI_File_read_ordered_begin(MPI_File fh, void* buf, int count, MPI_Datatype datatype) {
  return begin_split(fh, buf, "MPI_File_read_ordered_begin", [&](MPI_Status* status) {
    return impl::MPI_File_read_ordered(fh, buf, count, datatype, status);
  });
}

int ferry::mpi::impl::MPI_File_read_ordered_end(MPI_File fh, void* buf, MPI_Status* status) {
  return end_split(fh, buf, status, "MPI_File_read_ordered_end");
}

int ferry::mpi::impl::MPI_File_write_ordered_begin(MPI_File fh, const void* buf, int count, MPI_Datatype datatype) {
  return begin_split(fh, buf, "MPI_File_write_ordered_begin", [&](MPI_Status* status) {
    return impl::MPI_File_write_ordered(fh, buf, count, datatype, status);
  });
}

int ferry::mpi::impl::MPI_File_write_ordered_end(MPI_File fh, const void* buf, MPI_Status* status) {
  return end_split(fh, buf, status, "MPI_File_write_ordered_end");
}
