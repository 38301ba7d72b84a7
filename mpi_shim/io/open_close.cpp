// Opening and closing files on hybrid communicators. Each rank opens the file through its
// own Open MPI on MPI_COMM_SELF; the shim makes the group's semantics hold: one rank
// creates the file before the others open it, every rank reports the same outcome, a
// file opened with MPI_MODE_DELETE_ON_CLOSE goes once every rank has closed it.

#include <mpi.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include "mpi_shim/communicator.hpp"
#include "mpi_shim/errors.hpp"
#include "mpi_shim/io/file.hpp"
#include "mpi_shim/io/own_handle.hpp"
#include "mpi_shim/surface/implementations.hpp"
#include "mpi_shim/world.hpp"

namespace ferry::mpi {

namespace {

/// Modes the shim provides itself rather than each rank's Open MPI handle.
constexpr int group_modes = MPI_MODE_DELETE_ON_CLOSE | MPI_MODE_SEQUENTIAL;

std::string broadcast_string(Comm& comm, std::string text) {
  int length = int(text.size());
  impl::MPI_Bcast(&length, 1, MPI_INT, 0, handle_of(&comm));
  text.resize(size_t(length));
  if (length > 0) impl::MPI_Bcast(text.data(), length, MPI_CHAR, 0, handle_of(&comm));
  return text;
}

/// The name every rank opens. Function ranks run in directories of their own, so a
/// relative name is taken relative to rank 0's working directory.
std::string path_for_all(Comm& comm, const std::string& name) {
  std::string path = name;
  const bool prefixed = name.find(':') != std::string::npos && name.find(':') < name.find('/');
  if (comm.rank == 0 && !name.empty() && name[0] != '/' && !prefixed) {
    std::vector<char> directory(4096);
    if (::getcwd(directory.data(), directory.size()) != nullptr) path = std::string(directory.data()) + "/" + name;
  }
  return broadcast_string(comm, path);
}

int open_own(const std::string& path, int amode, MPI_Info info, MPI_File* own) {
  ShimScope scope;
  QuietFileNull quiet;
  const int code = PMPI_File_open(MPI_COMM_SELF, path.c_str(), amode, info, own);
  if (code == MPI_SUCCESS) PMPI_File_set_errhandler(*own, MPI_ERRORS_RETURN);
  return code;
}

void close_own(MPI_File* own) {
  ShimScope scope;
  if (*own != MPI_FILE_NULL) PMPI_File_close(own);
}

/// Opens every rank's own handle: rank 0 first (it alone creates the file, so an exclusive
/// create succeeds or fails once), then the others. Every rank returns the same code: the
/// first error in rank order, or MPI_SUCCESS with `own` open.
int open_everywhere(Comm& comm, const std::string& path, int amode, MPI_Info info, MPI_File* own) {
  const int own_amode = amode & ~group_modes;
  int first = MPI_SUCCESS;
  if (comm.rank == 0) first = open_own(path, own_amode, info, own);
  impl::MPI_Bcast(&first, 1, MPI_INT, 0, handle_of(&comm));
  if (first != MPI_SUCCESS) return first;
  int mine = MPI_SUCCESS;
  if (comm.rank != 0) mine = open_own(path, own_amode & ~MPI_MODE_EXCL, info, own);
  std::vector<int> codes(size_t(comm.size()));
  allgather_bytes(comm, &mine, sizeof mine, codes.data());
  for (const int code : codes) {
    if (code != MPI_SUCCESS) {
      close_own(own);
      return code;
    }
  }
  return MPI_SUCCESS;
}

/// The error handler a new file starts with: the one set on MPI_FILE_NULL.
HeldErrhandler initial_errhandler() {
  MPI_Errhandler handler = MPI_ERRORS_RETURN;
  {
    ShimScope scope;
    if (PMPI_File_get_errhandler(MPI_FILE_NULL, &handler) != MPI_SUCCESS) return MPI_ERRORS_RETURN;
  }
  HeldErrhandler held(handler);
  ShimScope scope;
  PMPI_Errhandler_free(&handler);
  return held;
}

/// An error of MPI_File_open, raised through the handler of MPI_FILE_NULL.
int open_failure(const char* name, int code, const std::string& detail = {}) {
  File failed;
  failed.errhandler = initial_errhandler();
  failed.name = name;
  return raise(failed, code, "MPI_File_open", detail);
}

}  // namespace

}  // namespace ferry::mpi

using namespace ferry::mpi;

int ferry::mpi::impl::MPI_File_open(MPI_Comm comm_handle, const char* name, int amode, MPI_Info info, MPI_File* handle) {
  Comm* opener = hybrid(comm_handle);
  if (name == nullptr) return open_failure("(null)", MPI_ERR_ARG);
  auto file = std::make_unique<File>();
  file->name = name;
  file->amode = amode;
  file->errhandler = initial_errhandler();
  file->comm = hybrid(create_comm(*opener, opener->group.members));
  file->path = path_for_all(*file->comm, file->name);
  if (const int code = open_everywhere(*file->comm, file->path, amode, info, &file->own); code != MPI_SUCCESS) {
    forget_comm(file->comm);
    return open_failure(name, code);
  }
  std::string shared_path;
  if (file->comm->rank == 0) shared_path = SharedPointer::path_beside(file->path);
  file->shared = std::make_unique<SharedPointer>(broadcast_string(*file->comm, shared_path));
  remember_file(file.get());
  *handle = handle_of(file.release());
  return MPI_SUCCESS;
}

int ferry::mpi::impl::MPI_File_close(MPI_File* handle) {
  std::unique_ptr<File> file(hybrid(*handle));
  int code = MPI_SUCCESS;
  {
    ShimScope scope;
    code = PMPI_File_close(&file->own);
  }
  Comm& comm = *file->comm;
  impl::MPI_Barrier(handle_of(&comm));
  const bool delete_on_close = (file->amode & MPI_MODE_DELETE_ON_CLOSE) != 0;
  if (comm.rank == 0) {
    file->shared->remove();
    if (delete_on_close) {
      ShimScope scope;
      QuietFileNull quiet;
      PMPI_File_delete(file->path.c_str(), MPI_INFO_NULL);
    }
  }
  if (delete_on_close) impl::MPI_Barrier(handle_of(&comm));
  if (code != MPI_SUCCESS) code = raise(*file, code, "MPI_File_close");
  forget_file(file.get());
  forget_comm(&comm);
  *handle = MPI_FILE_NULL;
  return code;
}
