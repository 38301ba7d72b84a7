#pragma once
// The roots' exchange of MPI_Comm_connect and MPI_Comm_accept: the connecting root sends
// its group's description to the port's process, the accepting root answers with its
// own, and the connecting root confirms that the answer arrived, so that an acceptor
// never keeps an intercommunicator to a side that gave up. A connecting root that gives
// up withdraws its request, so that an acceptor that takes it later moves on at once.

#include <cstdint>

#include "mpi_shim/dynamic/port_messages.hpp"
#include "mpi_shim/dynamic/port_name.hpp"
#include "runtime/common/deadline.hpp"

namespace ferry::mpi {

/// The connecting root: returns the accepting group's description. Throws
/// Error(unreachable) when the port refuses (closed, unknown), when its process is gone,
/// or when no answer arrives by `deadline`.
Bytes request_connection(const PortName& port, const Bytes& description, Deadline deadline);

/// The accepting root: waits, for as long as it takes, for a request to open port `id`
/// whose sender confirms the answer within `confirm_within`, and returns the connecting
/// group's description. A sender that fails or gives up midway is dropped and the wait
/// goes on. Throws Error(unreachable) when the port is not open.
Bytes answer_connection(uint64_t id, const Bytes& description, Clock::duration confirm_within);

}  // namespace ferry::mpi
