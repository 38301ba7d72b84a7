#pragma once
// The name of a port (MPI_Open_port): the UCX worker address of the process that opened
// it and a random id that tells that process's ports apart, written
//   ferry-port:<id, 11 hex digits>:<worker address, base64>
// Base64, not hex: an address with several RDMA devices takes several hundred bytes, and
// a port name has at most MPI_MAX_PORT_NAME - 1 characters.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ferry::mpi {

struct PortName {
  uint64_t id = 0;  ///< below port_id_limit (tags.hpp)
  std::vector<std::byte> address;
};

/// A random id below port_id_limit, for a port or a connection attempt.
uint64_t draw_port_id();
/// Throws Error(invalid_argument) when the name would be longer than `capacity` characters.
std::string format_port_name(const PortName& port, size_t capacity);
/// Throws Error(invalid_argument) when `text` is not a port name (trailing blanks aside).
PortName parse_port_name(std::string_view text);

}  // namespace ferry::mpi
