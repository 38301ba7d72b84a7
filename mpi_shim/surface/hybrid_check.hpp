#pragma once
// What a generated C entry point uses to spot shim objects among the handles it reads,
// and the barrier that keeps exceptions from crossing the C ABI: any error inside becomes
// an MPI error code, handled by the error handler of the hybrid communicator involved.

#include <mpi.h>

#include <exception>
#include <new>

#include "mpi_shim/communicator.hpp"
#include "mpi_shim/errors.hpp"
#include "mpi_shim/io/file.hpp"
#include "mpi_shim/rma/window.hpp"

namespace ferry::mpi::surface {

class HybridCheck {
 public:
  void check(MPI_Comm comm) noexcept {
    if (Comm* shim = hybrid(comm)) {
      if (!comm_) comm_ = shim;
      found_ = true;
    }
  }
  void check(MPI_Group group) noexcept;
  void check(MPI_Win win) noexcept {
    if (Window* shim = hybrid(win)) {
      if (!window_) window_ = shim;
      found_ = true;
    }
  }
  void check(MPI_File file) noexcept {
    if (File* shim = hybrid(file)) {
      if (!file_) file_ = shim;
      found_ = true;
    }
  }
  void check(MPI_Request request) noexcept;
  void check(MPI_Message message) noexcept;
  /// Checks the first `count` requests of `requests` (none when it is null or count < 0).
  void check(const MPI_Request* requests, int count) noexcept;

  /// True when a handle checked so far is a shim object.
  bool found() const noexcept { return found_; }

  /// Runs an implementation; an exception it throws becomes an MPI error.
  template <class Body>
  int run(const char* function, Body&& body) const noexcept {
    try {
      return body();
    } catch (const std::bad_alloc&) {
      return fail(MPI_ERR_NO_MEM, function, "out of memory");
    } catch (const std::exception& error) {
      return fail(error_class_of(error), function, error.what());
    } catch (...) {
      return fail(MPI_ERR_INTERN, function, "an unknown exception");
    }
  }

  /// `code` through the error handler of the hybrid window, file or communicator involved
  /// (or the world's).
  int fail(int code, const char* function, const char* detail) const noexcept;
  /// The "<function> is not supported on communicators with function ranks" error.
  int refuse(const char* function) const noexcept;

 private:
  bool found_ = false;
  Comm* comm_ = nullptr;  ///< the hybrid communicator involved, if any (null: world)
  Window* window_ = nullptr;
  File* file_ = nullptr;
};

}  // namespace ferry::mpi::surface
