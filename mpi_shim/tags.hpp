#pragma once
// UCX tag layout of the shim's traffic, as Open MPI's pml/ucx lays it out:
//   [ internal 1 | MPI tag 23 | source rank 20 | context id 20 ]
// User messages have the internal bit clear, so MPI_ANY_TAG never matches the shim's
// own (collective) traffic, whose tag field carries the collective's sequence number.

#include <ucp/api/ucp.h>

#include <cstddef>
#include <cstdint>

namespace ferry::mpi {

inline constexpr int max_user_tag = (1 << 23) - 1;  ///< MPI_TAG_UB on hybrid communicators
inline constexpr int max_ranks = 1 << 20;
/// The largest UCX worker address the shim's start-up and dynamic-process messages carry.
inline constexpr size_t max_worker_address = size_t{1} << 16;
inline constexpr uint32_t max_context_id = (1U << 20) - 1;
/// Context ids no communicator gets: the start-up bootstrap's, that of the traffic to
/// ports (MPI_Comm_connect/_accept between jobs) and that of MPI_Comm_spawn's traffic.
/// Communicators take ids below them.
inline constexpr uint32_t bootstrap_context_id = max_context_id;
inline constexpr uint32_t port_context_id = max_context_id - 1;
inline constexpr uint32_t spawn_context_id = max_context_id - 2;
inline constexpr uint32_t communicator_context_limit = spawn_context_id;

inline constexpr int tag_shift = 40;
inline constexpr int source_shift = 20;
inline constexpr ucp_tag_t internal_bit = ucp_tag_t{1} << 63;
inline constexpr ucp_tag_t tag_field = ucp_tag_t{0x7FFFFF} << tag_shift;
inline constexpr ucp_tag_t source_field = ucp_tag_t{0xFFFFF} << source_shift;
inline constexpr ucp_tag_t context_field = ucp_tag_t{0xFFFFF};
inline constexpr ucp_tag_t full_mask = ~ucp_tag_t{0};

constexpr ucp_tag_t user_tag(int tag, int source, uint32_t context) noexcept {
  return (ucp_tag_t(uint32_t(tag)) << tag_shift) | (ucp_tag_t(uint32_t(source)) << source_shift) | context;
}
constexpr ucp_tag_t internal_tag(uint32_t sequence, int source, uint32_t context) noexcept {
  return internal_bit | (ucp_tag_t(sequence & 0x7FFFFFU) << tag_shift) |
         (ucp_tag_t(uint32_t(source)) << source_shift) | context;
}
/// Mask of a user receive: MPI_ANY_SOURCE / MPI_ANY_TAG leave their field out.
constexpr ucp_tag_t user_mask(bool any_source, bool any_tag) noexcept {
  ucp_tag_t mask = full_mask;
  if (any_source) mask &= ~source_field;
  if (any_tag) mask &= ~tag_field;
  return mask;
}

// Traffic to ports has a layout of its own on port_context_id:
//   [ internal 1 | kind 2 | id 41 | context id 20 ]
// A connect request carries the id of the port it is for; the acceptor's answer and the
// connecting side's confirmation carry the id the connecting side drew for the attempt.
enum class PortMessage : uint8_t { request = 0, answer = 1, confirm = 2 };
inline constexpr int port_id_bits = 41;
inline constexpr int port_id_shift = 20;
inline constexpr int port_kind_shift = port_id_shift + port_id_bits;
inline constexpr uint64_t port_id_limit = uint64_t{1} << port_id_bits;
static_assert(1 + 2 + port_id_bits + 20 == 64, "the port tag fills 64 bits");
static_assert(port_context_id <= context_field, "the port context id fits its field");

constexpr ucp_tag_t port_tag(PortMessage kind, uint64_t id) noexcept {
  return internal_bit | (ucp_tag_t(kind) << port_kind_shift) | ((id & (port_id_limit - 1)) << port_id_shift) |
         port_context_id;
}
/// Matches every message of one kind, whatever its id.
inline constexpr ucp_tag_t port_kind_mask = internal_bit | (ucp_tag_t{3} << port_kind_shift) | context_field;
constexpr uint64_t port_id_of(ucp_tag_t tag) noexcept { return (tag >> port_id_shift) & (port_id_limit - 1); }
constexpr PortMessage port_kind_of(ucp_tag_t tag) noexcept { return PortMessage((tag >> port_kind_shift) & 3U); }

static_assert(port_id_of(port_tag(PortMessage::confirm, port_id_limit - 1)) == port_id_limit - 1);
static_assert(port_kind_of(port_tag(PortMessage::confirm, port_id_limit - 1)) == PortMessage::confirm);
static_assert((port_tag(PortMessage::answer, 0) & context_field) == port_context_id);
static_assert((port_tag(PortMessage::request, 12345) & port_kind_mask) == port_tag(PortMessage::request, 0));

constexpr int tag_of(ucp_tag_t tag) noexcept { return int((tag & tag_field) >> tag_shift); }
constexpr int source_of(ucp_tag_t tag) noexcept { return int((tag & source_field) >> source_shift); }

}  // namespace ferry::mpi
