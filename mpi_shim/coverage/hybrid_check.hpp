#pragma once
// What a generated guard uses to spot shim objects among its arguments before it hands the
// call to PMPI_*, and to refuse the call when it finds one.

#include <mpi.h>

namespace ferry::mpi {
struct Comm;
}

namespace ferry::mpi::coverage {

class HybridCheck {
 public:
  void check(MPI_Comm comm) noexcept;
  void check(MPI_Group group) noexcept;
  void check(MPI_Request request) noexcept;
  /// Checks the first `count` requests of `requests` (none when it is null or count < 0).
  void check(const MPI_Request* requests, int count) noexcept;

  /// True when an argument checked so far is a shim object.
  bool found() const noexcept { return found_; }
  /// The "<function> is not supported on communicators with function ranks" error,
  /// raised through the error handler of the hybrid communicator involved.
  int refuse(const char* function) const noexcept;

 private:
  bool found_ = false;
  Comm* comm_ = nullptr;  ///< the hybrid communicator involved, if any (null: world)
};

}  // namespace ferry::mpi::coverage
