// The calls that inspect or change a hybrid file rather than move its data: size, info,
// view, file pointer position, atomicity, sync, group. What concerns one rank is its own
// handle's work; the collective ones that change the file itself (its size) are done once,
// by rank 0, and every rank learns the outcome.

#include <mpi.h>

#include "mpi_shim/communicator.hpp"
#include "mpi_shim/io/file.hpp"
#include "mpi_shim/io/own_handle.hpp"
#include "mpi_shim/io/shared_access.hpp"
#include "mpi_shim/surface/implementations.hpp"

namespace ferry::mpi {

namespace {

/// `call(own)` on rank 0 of the file's group only; every rank returns its code.
template <class Call>
int on_rank_zero(File& file, const char* function, Call&& call) {
  int code = MPI_SUCCESS;
  if (file.comm->rank == 0) {
    ShimScope scope;
    code = call(file.own);
  }
  impl::MPI_Bcast(&code, 1, MPI_INT, 0, handle_of(file.comm));
  return code == MPI_SUCCESS ? code : raise(file, code, function);
}

template <class Call>
int on_own(MPI_File handle, const char* function, Call&& call) {
  return on_own_handle(*hybrid(handle), function, call);
}

}  // namespace

}  // namespace ferry::mpi

using namespace ferry::mpi;

int ferry::mpi::impl::MPI_File_set_size(MPI_File fh, MPI_Offset size) {
  return on_rank_zero(*hybrid(fh), "MPI_File_set_size", [&](MPI_File own) { return PMPI_File_set_size(own, size); });
}

int ferry::mpi::impl::MPI_File_preallocate(MPI_File fh, MPI_Offset size) {
  return on_rank_zero(*hybrid(fh), "MPI_File_preallocate",
                      [&](MPI_File own) { return PMPI_File_preallocate(own, size); });
}

int ferry::mpi::impl::MPI_File_get_size(MPI_File fh, MPI_Offset* size) {
  return on_own(fh, "MPI_File_get_size", [&](MPI_File own) { return PMPI_File_get_size(own, size); });
}

int ferry::mpi::impl::MPI_File_get_amode(MPI_File fh, int* amode) {
  *amode = hybrid(fh)->amode;
  return MPI_SUCCESS;
}

int ferry::mpi::impl::MPI_File_set_info(MPI_File fh, MPI_Info info) {
  return on_own(fh, "MPI_File_set_info", [&](MPI_File own) { return PMPI_File_set_info(own, info); });
}

int ferry::mpi::impl::MPI_File_get_info(MPI_File fh, MPI_Info* info_used) {
  return on_own(fh, "MPI_File_get_info", [&](MPI_File own) { return PMPI_File_get_info(own, info_used); });
}

int ferry::mpi::impl::MPI_File_set_view(MPI_File fh, MPI_Offset disp, MPI_Datatype etype, MPI_Datatype filetype,
                                        const char* datarep, MPI_Info info) {
  File& file = *hybrid(fh);
  const int code = on_own_handle(file, "MPI_File_set_view", [&](MPI_File own) {
    return PMPI_File_set_view(own, disp, etype, filetype, datarep, info);
  });
  if (code == MPI_SUCCESS) {
    int etype_size = 1;
    PMPI_Type_size(etype, &etype_size);
    file.etype_size = etype_size > 0 ? etype_size : 1;
  }
  // A rank whose view failed still takes part, so that the others do not wait for it.
  const int reset = reset_shared_pointer(file, "MPI_File_set_view");
  return code != MPI_SUCCESS ? code : reset;
}

int ferry::mpi::impl::MPI_File_get_view(MPI_File fh, MPI_Offset* disp, MPI_Datatype* etype, MPI_Datatype* filetype,
                                        char* datarep) {
  return on_own(fh, "MPI_File_get_view",
                [&](MPI_File own) { return PMPI_File_get_view(own, disp, etype, filetype, datarep); });
}

int ferry::mpi::impl::MPI_File_seek(MPI_File fh, MPI_Offset offset, int whence) {
  File& file = *hybrid(fh);
  if (const int refused = sequential_refusal(file, "MPI_File_seek")) return refused;
  return on_own_handle(file, "MPI_File_seek", [&](MPI_File own) { return PMPI_File_seek(own, offset, whence); });
}

int ferry::mpi::impl::MPI_File_get_position(MPI_File fh, MPI_Offset* offset) {
  File& file = *hybrid(fh);
  if (const int refused = sequential_refusal(file, "MPI_File_get_position")) return refused;
  return on_own_handle(file, "MPI_File_get_position",
                       [&](MPI_File own) { return PMPI_File_get_position(own, offset); });
}

int ferry::mpi::impl::MPI_File_get_byte_offset(MPI_File fh, MPI_Offset offset, MPI_Offset* disp) {
  return on_own(fh, "MPI_File_get_byte_offset",
                [&](MPI_File own) { return PMPI_File_get_byte_offset(own, offset, disp); });
}

int ferry::mpi::impl::MPI_File_get_type_extent(MPI_File fh, MPI_Datatype datatype, MPI_Aint* extent) {
  return on_own(fh, "MPI_File_get_type_extent",
                [&](MPI_File own) { return PMPI_File_get_type_extent(own, datatype, extent); });
}

int ferry::mpi::impl::MPI_File_get_group(MPI_File fh, MPI_Group* group) {
  *group = make_group(hybrid(fh)->comm->group.members);
  return MPI_SUCCESS;
}

// Atomic mode is set on every rank's own handle: Open MPI's handles then lock the byte
// ranges they access (fcntl), which orders the accesses of all the ranks' handles.
int ferry::mpi::impl::MPI_File_set_atomicity(MPI_File fh, int flag) {
  File& file = *hybrid(fh);
  const int code = on_own_handle(file, "MPI_File_set_atomicity",
                                 [&](MPI_File own) { return PMPI_File_set_atomicity(own, flag); });
  impl::MPI_Barrier(handle_of(file.comm));
  return code;
}

int ferry::mpi::impl::MPI_File_get_atomicity(MPI_File fh, int* flag) {
  return on_own(fh, "MPI_File_get_atomicity", [&](MPI_File own) { return PMPI_File_get_atomicity(own, flag); });
}

int ferry::mpi::impl::MPI_File_sync(MPI_File fh) {
  File& file = *hybrid(fh);
  const int code = on_own_handle(file, "MPI_File_sync", [&](MPI_File own) { return PMPI_File_sync(own); });
  impl::MPI_Barrier(handle_of(file.comm));
  return code;
}
