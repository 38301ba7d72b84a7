#pragma once
// MPI_Comm_accept and MPI_Comm_connect between jobs (and within one), as functions that
// throw: MPI_Comm_join uses them on MPI_COMM_SELF. Only the roots talk across
// (port_handshake.hpp); build_intercomm does the rest on both sides. In a plain job (no
// function ranks) they first give the process a transport.
//
// MPI_Comm_connect has no time-out in MPI. Here the connecting root waits for the port's
// answer for at most the info key "timeout" (seconds, the key MPICH reads), else
// FERRY_CONNECT_TIMEOUT (seconds), else 180 s, and then fails with MPI_ERR_PORT. A port
// that is closed or unknown refuses at once when its process is in an MPI call that
// waits, and a process UCX finds gone fails the connect sooner too. MPI_Comm_accept waits
// for a request for as long as it takes; the same bound applies to its wait for the
// connecting root's confirmation.

#include <mpi.h>

#include <string>

namespace ferry::mpi {

/// Collective over `comm`; `port_name` and `info` matter on `root` only. Throw
/// Error(unreachable) when the port fails, Error(invalid_argument) on bad arguments
/// (port_error_class() maps them).
MPI_Comm accept_on_port(const char* port_name, MPI_Info info, int root, MPI_Comm comm);
MPI_Comm connect_to_port(const char* port_name, MPI_Info info, int root, MPI_Comm comm);

/// Opens a port of this process; returns its name.
std::string open_port();
/// Closes a port this process opened; throws Error(unreachable) for any other name.
void close_port(const char* port_name);

}  // namespace ferry::mpi
