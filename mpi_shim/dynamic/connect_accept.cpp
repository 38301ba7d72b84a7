#include "mpi_shim/dynamic/connect_accept.hpp"

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <optional>

#include "mpi_shim/communicator.hpp"
#include "mpi_shim/dynamic/intercomm.hpp"
#include "mpi_shim/dynamic/local_group.hpp"
#include "mpi_shim/dynamic/port_handshake.hpp"
#include "mpi_shim/dynamic/ports.hpp"
#include "mpi_shim/errors.hpp"
#include "mpi_shim/surface/implementations.hpp"
#include "mpi_shim/transport.hpp"
#include "mpi_shim/world.hpp"
#include "runtime/common/error.hpp"

namespace ferry::mpi {

namespace {

constexpr std::chrono::seconds default_connect_timeout{180};

/// A positive number of seconds in `text`; nothing when it is not one.
std::optional<Clock::duration> seconds_in(const char* text) {
  char* end = nullptr;
  const double seconds = std::strtod(text, &end);
  if (end == text || *end != '\0' || !(seconds > 0) || seconds > 1e9) return std::nullopt;
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
}

Clock::duration connect_timeout(MPI_Info info) {
  if (info != MPI_INFO_NULL) {
    char value[MPI_MAX_INFO_VAL + 1] = {};
    int found = 0;
    PMPI_Info_get(info, "timeout", MPI_MAX_INFO_VAL, value, &found);
    if (found != 0) {
      if (const auto timeout = seconds_in(value)) return *timeout;
      throw Error(Errc::invalid_argument, "the info key timeout='" + std::string(value) +
                                              "' is not a positive number of seconds");
    }
  }
  if (const char* text = std::getenv("FERRY_CONNECT_TIMEOUT"); text != nullptr && *text != '\0') {
    if (const auto timeout = seconds_in(text)) return *timeout;
    throw Error(Errc::invalid_argument,
                "FERRY_CONNECT_TIMEOUT='" + std::string(text) + "' is not a positive number of seconds");
  }
  return default_connect_timeout;
}

PortName parse_port(const char* port_name) {
  try {
    return parse_port_name(port_name != nullptr ? port_name : "");
  } catch (const Error& error) {
    throw Error(Errc::unreachable, error.what());
  }
}

bool is_intercomm(MPI_Comm comm) {
  if (Comm* shim = hybrid(comm)) return shim->inter();
  int flag = 0;
  PMPI_Comm_test_inter(comm, &flag);
  return flag != 0;
}

/// The part of accept and connect that both share; `exchange` runs on the root.
MPI_Comm join_groups(MPI_Comm comm, int root, const LeaderSwap& exchange) {
  if (comm == MPI_COMM_NULL || is_intercomm(comm)) {
    throw Error(Errc::invalid_argument, "the communicator is null or an intercommunicator");
  }
  connect_transport();
  LocalGroup local(comm);
  if (root < 0 || root >= local.size()) throw Error(Errc::invalid_argument, "the root is not a rank of the communicator");
  return build_intercomm(local, root, exchange);
}

}  // namespace

MPI_Comm accept_on_port(const char* port_name, MPI_Info info, int root, MPI_Comm comm) {
  return join_groups(comm, root, [&](const Bytes& mine) {
    const PortName port = parse_port(port_name);
    if (port.address != transport().address() || !port_service().is_open(port.id)) {
      throw Error(Errc::unreachable, "the port is not one this process has open");
    }
    return answer_connection(port.id, mine, connect_timeout(info));
  });
}

MPI_Comm connect_to_port(const char* port_name, MPI_Info info, int root, MPI_Comm comm) {
  return join_groups(comm, root, [&](const Bytes& mine) {
    const PortName port = parse_port(port_name);
    return request_connection(port, mine, Deadline::after(connect_timeout(info)));
  });
}

std::string open_port() {
  connect_transport();
  return port_service().open(MPI_MAX_PORT_NAME - 1);
}

void close_port(const char* port_name) {
  if (!world().hybrid() || !port_service().close(parse_port(port_name))) {
    throw Error(Errc::unreachable, "not a port this process has open");
  }
}

}  // namespace ferry::mpi

using namespace ferry::mpi;

namespace {

bool outside_mpi() noexcept { return !world().initialized || world().finalized; }

/// The error class of a communicator or root that accept and connect cannot take, or MPI_SUCCESS.
int check_arguments(MPI_Comm comm, int root) {
  if (comm == MPI_COMM_NULL) return MPI_ERR_COMM;
  int size = 0;
  if (Comm* shim = hybrid(comm)) {
    if (shim->inter()) return MPI_ERR_COMM;
    size = shim->size();
  } else {
    int inter = 0;
    if (PMPI_Comm_test_inter(comm, &inter) != MPI_SUCCESS || inter != 0) return MPI_ERR_COMM;
    PMPI_Comm_size(comm, &size);
  }
  return root >= 0 && root < size ? MPI_SUCCESS : MPI_ERR_ROOT;
}

}  // namespace

int ferry::mpi::impl::MPI_Open_port(MPI_Info info, char* port_name) {
  if (outside_mpi()) return PMPI_Open_port(info, port_name);
  try {
    const std::string name = open_port();
    std::memcpy(port_name, name.c_str(), name.size() + 1);
  } catch (const std::exception& error) {
    return raise_on(MPI_COMM_WORLD, MPI_ERR_OTHER, "MPI_Open_port", error.what());
  }
  return MPI_SUCCESS;
}

int ferry::mpi::impl::MPI_Close_port(const char* port_name) {
  if (outside_mpi()) return PMPI_Close_port(port_name);
  try {
    close_port(port_name);
  } catch (const std::exception& error) {
    return raise_on(MPI_COMM_WORLD, port_error_class(error), "MPI_Close_port", error.what());
  }
  return MPI_SUCCESS;
}

int ferry::mpi::impl::MPI_Comm_accept(const char* port_name, MPI_Info info, int root, MPI_Comm comm,
                                      MPI_Comm* newcomm) {
  if (outside_mpi()) return PMPI_Comm_accept(port_name, info, root, comm, newcomm);
  if (const int code = check_arguments(comm, root); code != MPI_SUCCESS) {
    return raise_on(comm == MPI_COMM_NULL ? MPI_COMM_WORLD : comm, code, "MPI_Comm_accept");
  }
  try {
    *newcomm = accept_on_port(port_name, info, root, comm);
  } catch (const std::exception& error) {
    return raise_on(comm, port_error_class(error), "MPI_Comm_accept", error.what());
  }
  return MPI_SUCCESS;
}

int ferry::mpi::impl::MPI_Comm_connect(const char* port_name, MPI_Info info, int root, MPI_Comm comm,
                                       MPI_Comm* newcomm) {
  if (outside_mpi()) return PMPI_Comm_connect(port_name, info, root, comm, newcomm);
  if (const int code = check_arguments(comm, root); code != MPI_SUCCESS) {
    return raise_on(comm == MPI_COMM_NULL ? MPI_COMM_WORLD : comm, code, "MPI_Comm_connect");
  }
  try {
    *newcomm = connect_to_port(port_name, info, root, comm);
  } catch (const std::exception& error) {
    return raise_on(comm, port_error_class(error), "MPI_Comm_connect", error.what());
  }
  return MPI_SUCCESS;
}
