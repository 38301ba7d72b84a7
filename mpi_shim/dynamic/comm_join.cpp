// MPI_Comm_join: the two processes at the ends of a connected socket swap port names over
// it, then the one whose name sorts first accepts on MPI_COMM_SELF and the other connects.

#include <mpi.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "mpi_shim/dynamic/connect_accept.hpp"
#include "mpi_shim/errors.hpp"
#include "mpi_shim/surface/implementations.hpp"
#include "mpi_shim/threads.hpp"
#include "mpi_shim/world.hpp"
#include "runtime/common/error.hpp"

namespace {

using ferry::Errc;
using ferry::Error;

/// Waits until `fd` is ready for `events` (the socket may be non-blocking).
void wait_for(int fd, short events) {
  pollfd entry{fd, events, 0};
  while (::poll(&entry, 1, -1) < 0) {
    if (errno != EINTR) ferry::throw_system_error("poll on the MPI_Comm_join socket");
  }
}

void write_all(int fd, const char* data, size_t size) {
  while (size > 0) {
    const ssize_t written = ::write(fd, data, size);
    if (written < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (errno != EINTR) wait_for(fd, POLLOUT);
      continue;
    }
    if (written < 0) ferry::throw_system_error("writing to the MPI_Comm_join socket");
    data += written;
    size -= size_t(written);
  }
}

void read_all(int fd, char* data, size_t size) {
  while (size > 0) {
    const ssize_t got = ::read(fd, data, size);
    if (got < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (errno != EINTR) wait_for(fd, POLLIN);
      continue;
    }
    if (got < 0) ferry::throw_system_error("reading from the MPI_Comm_join socket");
    if (got == 0) throw Error(Errc::unreachable, "the other side closed the MPI_Comm_join socket");
    data += got;
    size -= size_t(got);
  }
}

/// Closes the port it holds when it goes.
class OpenPort {
 public:
  OpenPort() : name_(ferry::mpi::open_port()) {}
  OpenPort(const OpenPort&) = delete;
  OpenPort& operator=(const OpenPort&) = delete;
  ~OpenPort() {
    try {
      ferry::mpi::close_port(name_.c_str());
    } catch (const std::exception&) {
      // Finalizing, or already closed: nothing waits on it.
    }
  }
  const std::string& name() const noexcept { return name_; }

 private:
  std::string name_;
};

}  // namespace

using namespace ferry::mpi;

int ferry::mpi::impl::MPI_Comm_join(int fd, MPI_Comm* intercomm) {
  if (!world().initialized || world().finalized) return PMPI_Comm_join(fd, intercomm);
  *intercomm = MPI_COMM_NULL;
  try {
    const OpenPort port;
    char mine[MPI_MAX_PORT_NAME] = {}, theirs[MPI_MAX_PORT_NAME] = {};
    std::memcpy(mine, port.name().c_str(), port.name().size());
    {
      // Both sides write first: a port name fits in any socket buffer.
      ShimUnlock unlock;
      write_all(fd, mine, sizeof mine);
      read_all(fd, theirs, sizeof theirs);
    }
    theirs[MPI_MAX_PORT_NAME - 1] = '\0';
    const int order = std::strcmp(mine, theirs);
    if (order == 0) throw Error(Errc::invalid_argument, "MPI_Comm_join: both ends of the socket are one process");
    *intercomm = order < 0 ? accept_on_port(mine, MPI_INFO_NULL, 0, MPI_COMM_SELF)
                           : connect_to_port(theirs, MPI_INFO_NULL, 0, MPI_COMM_SELF);
  } catch (const std::exception& error) {
    return raise_on(MPI_COMM_WORLD, port_error_class(error), "MPI_Comm_join", error.what());
  }
  return MPI_SUCCESS;
}
