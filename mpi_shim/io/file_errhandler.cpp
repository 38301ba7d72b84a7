#include "mpi_shim/io/file_errhandler.hpp"

#include <map>

#include "mpi_shim/io/own_handle.hpp"
#include "mpi_shim/world.hpp"

namespace ferry::mpi {

namespace {

struct Holder {
  MPI_File file = MPI_FILE_NULL;
  int users = 0;
};
std::map<MPI_Errhandler, Holder> holders;


bool mpi_running() noexcept {
  int initialized = 0, finalized = 0;
  PMPI_Initialized(&initialized);
  PMPI_Finalized(&finalized);
  return initialized && !finalized;
}

void hold(MPI_Errhandler handler) noexcept {
  // Predefined handlers are held too: the user frees the references get_errhandler hands out.
  if (handler == MPI_ERRHANDLER_NULL || !mpi_running()) return;
  try {
    Holder& holder = holders[handler];
    if (holder.users++ > 0) return;
    ShimScope scope;
    QuietFileNull quiet;
    if (PMPI_File_open(MPI_COMM_SELF, "/dev/null", MPI_MODE_RDONLY, MPI_INFO_NULL, &holder.file) == MPI_SUCCESS) {
      PMPI_File_set_errhandler(holder.file, handler);
    }
  } catch (...) {
    // Without room for the holder the handler stays the user's to keep alive.
  }
}

void let_go(MPI_Errhandler handler) noexcept {
  const auto found = holders.find(handler);
  if (found == holders.end() || --found->second.users > 0) return;
  if (found->second.file != MPI_FILE_NULL && mpi_running()) {
    ShimScope scope;
    PMPI_File_close(&found->second.file);
  }
  holders.erase(found);
}

}  // namespace

FileErrhandler::FileErrhandler(MPI_Errhandler handler) noexcept : handler_(handler) { hold(handler_); }

FileErrhandler::FileErrhandler(const FileErrhandler& other) noexcept : FileErrhandler(other.handler_) {}

FileErrhandler& FileErrhandler::operator=(const FileErrhandler& other) noexcept {
  if (this != &other) {
    hold(other.handler_);
    let_go(handler_);
    handler_ = other.handler_;
  }
  return *this;
}

FileErrhandler::~FileErrhandler() { let_go(handler_); }

MPI_Errhandler FileErrhandler::new_reference() const noexcept {
  const auto found = holders.find(handler_);
  if (found == holders.end() || found->second.file == MPI_FILE_NULL) return handler_;
  MPI_Errhandler reference = handler_;
  PMPI_File_get_errhandler(found->second.file, &reference);
  return reference;
}

}  // namespace ferry::mpi
