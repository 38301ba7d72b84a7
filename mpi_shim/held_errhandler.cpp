#include "mpi_shim/held_errhandler.hpp"

#include <map>

#include "mpi_shim/io/own_handle.hpp"
#include "mpi_shim/world.hpp"

namespace ferry::mpi {

namespace {

// Open MPI only sets a handler on an object of its kind: a communicator holds the handlers
// of communicators, a window of no memory on MPI_COMM_SELF those made for windows, and
// /dev/null opened on MPI_COMM_SELF those made for files.
struct Holder {
  MPI_Comm comm = MPI_COMM_NULL;
  MPI_Win win = MPI_WIN_NULL;
  MPI_File file = MPI_FILE_NULL;
  int users = 0;
};
std::map<MPI_Errhandler, Holder> holders;

bool predefined(MPI_Errhandler handler) noexcept {
  return handler == MPI_ERRORS_ARE_FATAL || handler == MPI_ERRORS_RETURN || handler == MPI_ERRHANDLER_NULL;
}

bool mpi_running() noexcept {
  int initialized = 0, finalized = 0;
  PMPI_Initialized(&initialized);
  PMPI_Finalized(&finalized);
  return initialized && !finalized;
}

/// A window of no memory on MPI_COMM_SELF whose handler is `handler`, or MPI_WIN_NULL when
/// Open MPI has no one-sided component for it or `handler` is no window's: the attempt
/// must not end the job, so MPI_COMM_SELF returns errors meanwhile.
MPI_Win window_holder(MPI_Errhandler handler) noexcept {
  MPI_Errhandler self_handler = MPI_ERRHANDLER_NULL;
  PMPI_Comm_get_errhandler(MPI_COMM_SELF, &self_handler);
  PMPI_Comm_set_errhandler(MPI_COMM_SELF, MPI_ERRORS_RETURN);
  MPI_Win win = MPI_WIN_NULL;
  void* base = nullptr;
  if (PMPI_Win_allocate(0, 1, MPI_INFO_NULL, MPI_COMM_SELF, &base, &win) == MPI_SUCCESS) {
    PMPI_Win_set_errhandler(win, MPI_ERRORS_RETURN);
    if (PMPI_Win_set_errhandler(win, handler) != MPI_SUCCESS) PMPI_Win_free(&win);
  }
  PMPI_Comm_set_errhandler(MPI_COMM_SELF, self_handler);
  PMPI_Errhandler_free(&self_handler);
  return win;
}

/// /dev/null opened on MPI_COMM_SELF with `handler` as its handler, or MPI_FILE_NULL when
/// `handler` is no file's.
MPI_File file_holder(MPI_Errhandler handler) noexcept {
  ShimScope scope;  // Open MPI's I/O calls MPI_* itself
  QuietFileNull quiet;
  MPI_File file = MPI_FILE_NULL;
  if (PMPI_File_open(MPI_COMM_SELF, "/dev/null", MPI_MODE_RDONLY, MPI_INFO_NULL, &file) == MPI_SUCCESS &&
      PMPI_File_set_errhandler(file, handler) != MPI_SUCCESS) {
    PMPI_File_close(&file);
  }
  return file;
}

void hold(MPI_Errhandler handler) noexcept {
  if (predefined(handler) || !mpi_running()) return;
  try {
    Holder& holder = holders[handler];
    if (holder.users++ > 0) return;
    if (PMPI_Comm_dup(MPI_COMM_SELF, &holder.comm) != MPI_SUCCESS) return;
    PMPI_Comm_set_errhandler(holder.comm, MPI_ERRORS_RETURN);
    if (PMPI_Comm_set_errhandler(holder.comm, handler) == MPI_SUCCESS) return;
    PMPI_Comm_free(&holder.comm);
    holder.win = window_holder(handler);
    if (holder.win == MPI_WIN_NULL) holder.file = file_holder(handler);
  } catch (...) {
    // Without room for the holder the handler stays the user's to keep alive.
  }
}

void let_go(MPI_Errhandler handler) noexcept {
  const auto found = holders.find(handler);
  if (found == holders.end() || --found->second.users > 0) return;
  if (found->second.comm != MPI_COMM_NULL && mpi_running()) PMPI_Comm_free(&found->second.comm);
  if (found->second.win != MPI_WIN_NULL && mpi_running()) PMPI_Win_free(&found->second.win);
  if (found->second.file != MPI_FILE_NULL && mpi_running()) PMPI_File_close(&found->second.file);
  holders.erase(found);
}

}  // namespace

HeldErrhandler::HeldErrhandler(MPI_Errhandler handler) noexcept : handler_(handler) { hold(handler_); }

HeldErrhandler::HeldErrhandler(const HeldErrhandler& other) noexcept : HeldErrhandler(other.handler_) {}

HeldErrhandler& HeldErrhandler::operator=(const HeldErrhandler& other) noexcept {
  if (this != &other) {
    hold(other.handler_);
    let_go(handler_);
    handler_ = other.handler_;
  }
  return *this;
}

HeldErrhandler::~HeldErrhandler() { let_go(handler_); }

MPI_Errhandler HeldErrhandler::new_reference() const noexcept {
  MPI_Errhandler reference = handler_;
  const auto found = holders.find(handler_);
  if (found != holders.end() && found->second.comm != MPI_COMM_NULL) {
    PMPI_Comm_get_errhandler(found->second.comm, &reference);
  } else if (found != holders.end() && found->second.win != MPI_WIN_NULL) {
    PMPI_Win_get_errhandler(found->second.win, &reference);
  } else if (found != holders.end() && found->second.file != MPI_FILE_NULL) {
    PMPI_File_get_errhandler(found->second.file, &reference);
  } else if (handler_ != MPI_ERRHANDLER_NULL && mpi_running()) {
    // Open MPI counts references to its predefined handlers too, and the user frees this
    // one: it comes from a communicator that has the handler for a moment.
    MPI_Comm lender = MPI_COMM_NULL;
    if (PMPI_Comm_dup(MPI_COMM_SELF, &lender) != MPI_SUCCESS) return handler_;
    PMPI_Comm_set_errhandler(lender, handler_);
    PMPI_Comm_get_errhandler(lender, &reference);
    PMPI_Comm_free(&lender);
  }
  return reference;
}

}  // namespace ferry::mpi
