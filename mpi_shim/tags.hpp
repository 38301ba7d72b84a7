#pragma once
// UCX tag layout of the shim's traffic, as Open MPI's pml/ucx lays it out:
//   [ internal 1 | MPI tag 23 | source rank 20 | context id 20 ]
// User messages have the internal bit clear, so MPI_ANY_TAG never matches the shim's
// own (collective) traffic, whose tag field carries the collective's sequence number.

#include <ucp/api/ucp.h>

#include <cstdint>

namespace ferry::mpi {

inline constexpr int max_user_tag = (1 << 23) - 1;  ///< MPI_TAG_UB on hybrid communicators
inline constexpr int max_ranks = 1 << 20;
inline constexpr uint32_t max_context_id = (1U << 20) - 1;

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
constexpr int tag_of(ucp_tag_t tag) noexcept { return int((tag & tag_field) >> tag_shift); }
constexpr int source_of(ucp_tag_t tag) noexcept { return int((tag & source_field) >> source_shift); }

}  // namespace ferry::mpi
