// Data access on hybrid files through explicit offsets and individual file pointers,
// blocking, collective and nonblocking: every rank's part is its own, so its own Open MPI
// handle does it (a nonblocking call hands out Open MPI's request, which Wait/Test accept
// next to the shim's). Collective calls need nothing from the other ranks: each one
// accesses the file through its own view.

#include <mpi.h>

#include "mpi_shim/io/file.hpp"
#include "mpi_shim/io/own_handle.hpp"
#include "mpi_shim/surface/implementations.hpp"

namespace ferry::mpi {

namespace {

/// `call(own)` on the file behind `handle`, refused on files opened with MPI_MODE_SEQUENTIAL.
template <class Call>
int access(MPI_File handle, const char* function, Call&& call) {
  File& file = *hybrid(handle);
  if (const int refused = sequential_refusal(file, function)) return refused;
  return on_own_handle(file, function, call);
}

}  // namespace

}  // namespace ferry::mpi

using namespace ferry::mpi;

int ferry::mpi::impl::MPI_File_read_at(MPI_File fh, MPI_Offset offset, void* buf, int count, MPI_Datatype datatype,
                                       MPI_Status* status) {
  return access(fh, "MPI_File_read_at",
                [&](MPI_File own) { return PMPI_File_read_at(own, offset, buf, count, datatype, status); });
}

int ferry::mpi::impl::MPI_File_write_at(MPI_File fh, MPI_Offset offset, const void* buf, int count,
                                        MPI_Datatype datatype, MPI_Status* status) {
  return access(fh, "MPI_File_write_at",
                [&](MPI_File own) { return PMPI_File_write_at(own, offset, buf, count, datatype, status); });
}

int ferry::mpi::impl::MPI_File_read_at_all(MPI_File fh, MPI_Offset offset, void* buf, int count,
                                           MPI_Datatype datatype, MPI_Status* status) {
  return access(fh, "MPI_File_read_at_all",
                [&](MPI_File own) { return PMPI_File_read_at_all(own, offset, buf, count, datatype, status); });
}

int ferry::mpi::impl::MPI_File_write_at_all(MPI_File fh, MPI_Offset offset, const void* buf, int count,
                                            MPI_Datatype datatype, MPI_Status* status) {
  return access(fh, "MPI_File_write_at_all",
                [&](MPI_File own) { return PMPI_File_write_at_all(own, offset, buf, count, datatype, status); });
}

int ferry::mpi::impl::MPI_File_read(MPI_File fh, void* buf, int count, MPI_Datatype datatype, MPI_Status* status) {
  return access(fh, "MPI_File_read", [&](MPI_File own) { return PMPI_File_read(own, buf, count, datatype, status); });
}

int ferry::mpi::impl::MPI_File_write(MPI_File fh, const void* buf, int count, MPI_Datatype datatype,
                                     MPI_Status* status) {
  return access(fh, "MPI_File_write",
                [&](MPI_File own) { return PMPI_File_write(own, buf, count, datatype, status); });
}

int ferry::mpi::impl::MPI_File_read_all(MPI_File fh, void* buf, int count, MPI_Datatype datatype,
                                        MPI_Status* status) {
  return access(fh, "MPI_File_read_all",
                [&](MPI_File own) { return PMPI_File_read_all(own, buf, count, datatype, status); });
}

int ferry::mpi::impl::MPI_File_write_all(MPI_File fh, const void* buf, int count, MPI_Datatype datatype,
                                         MPI_Status* status) {
  return access(fh, "MPI_File_write_all",
                [&](MPI_File own) { return PMPI_File_write_all(own, buf, count, datatype, status); });
}

int ferry::mpi::impl::MPI_File_iread_at(MPI_File fh, MPI_Offset offset, void* buf, int count, MPI_Datatype datatype,
                                        MPI_Request* request) {
  return access(fh, "MPI_File_iread_at",
                [&](MPI_File own) { return PMPI_File_iread_at(own, offset, buf, count, datatype, request); });
}

int ferry::mpi::impl::MPI_File_iwrite_at(MPI_File fh, MPI_Offset offset, const void* buf, int count,
                                         MPI_Datatype datatype, MPI_Request* request) {
  return access(fh, "MPI_File_iwrite_at",
                [&](MPI_File own) { return PMPI_File_iwrite_at(own, offset, buf, count, datatype, request); });
}

int ferry::mpi::impl::MPI_File_iread_at_all(MPI_File fh, MPI_Offset offset, void* buf, int count,
                                            MPI_Datatype datatype, MPI_Request* request) {
  return access(fh, "MPI_File_iread_at_all",
                [&](MPI_File own) { return PMPI_File_iread_at_all(own, offset, buf, count, datatype, request); });
}

int ferry::mpi::impl::MPI_File_iwrite_at_all(MPI_File fh, MPI_Offset offset, const void* buf, int count,
                                             MPI_Datatype datatype, MPI_Request* request) {
  return access(fh, "MPI_File_iwrite_at_all",
                [&](MPI_File own) { return PMPI_File_iwrite_at_all(own, offset, buf, count, datatype, request); });
}

int ferry::mpi::impl::MPI_File_iread(MPI_File fh, void* buf, int count, MPI_Datatype datatype, MPI_Request* request) {
  return access(fh, "MPI_File_iread",
                [&](MPI_File own) { return PMPI_File_iread(own, buf, count, datatype, request); });
}

int ferry::mpi::impl::MPI_File_iwrite(MPI_File fh, const void* buf, int count, MPI_Datatype datatype,
                                      MPI_Request* request) {
  return access(fh, "MPI_File_iwrite",
                [&](MPI_File own) { return PMPI_File_iwrite(own, buf, count, datatype, request); });
}

int ferry::mpi::impl::MPI_File_iread_all(MPI_File fh, void* buf, int count, MPI_Datatype datatype,
                                         MPI_Request* request) {
  return access(fh, "MPI_File_iread_all",
                [&](MPI_File own) { return PMPI_File_iread_all(own, buf, count, datatype, request); });
}

int ferry::mpi::impl::MPI_File_iwrite_all(MPI_File fh, const void* buf, int count, MPI_Datatype datatype,
                                          MPI_Request* request) {
  return access(fh, "MPI_File_iwrite_all",
                [&](MPI_File own) { return PMPI_File_iwrite_all(own, buf, count, datatype, request); });
}
