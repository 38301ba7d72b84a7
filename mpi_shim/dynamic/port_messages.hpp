#pragma once
// What crosses between the roots of MPI_Comm_connect and MPI_Comm_accept (tags.hpp lays
// out their tags): the connecting root's request to a port, the accepting root's answer,
// and a byte the connecting root sends when the answer has arrived (1) or when it gave up
// waiting for it (0).

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace ferry::mpi {

using Bytes = std::vector<std::byte>;

struct ConnectRequest {
  uint64_t attempt = 0;  ///< drawn by the connecting root; the answer and confirmation carry it
  Bytes address;         ///< the connecting root's UCX worker address, to answer to
  Bytes description;     ///< its group's encoded GroupDescription
};

struct ConnectAnswer {
  bool accepted = false;
  std::string reason;  ///< why the port refused
  Bytes description;   ///< the accepting group's encoded GroupDescription
};

Bytes encode(const ConnectRequest& request);
Bytes encode(const ConnectAnswer& answer);
/// Both throw Error(protocol) on malformed input.
ConnectRequest decode_connect_request(std::span<const std::byte> bytes);
ConnectAnswer decode_connect_answer(std::span<const std::byte> bytes);

}  // namespace ferry::mpi
