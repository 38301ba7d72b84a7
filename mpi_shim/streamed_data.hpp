#pragma once
// Non-contiguous data too large to pack at once travels as one UCX message of a generic
// datatype: UCX asks for the bytes at increasing offsets as it sends (or hands them over
// as they arrive), and they are packed (unpacked) a piece at a time (TypeWalker). Memory
// stays bounded by one piece, and the transfer streams at any size.

#include <mpi.h>
#include <ucp/api/ucp.h>

#include <cstddef>

#include "mpi_shim/datatype.hpp"

namespace ferry::mpi {

/// Non-contiguous data of more than this many bytes is streamed rather than packed whole.
inline constexpr size_t streaming_threshold = size_t(4) << 20;
/// The most a piece holds (a divisible type's pieces; an indivisible element may be larger).
inline constexpr size_t streaming_piece = size_t(1) << 20;

/// The UCX generic datatype that packs and unpacks StreamedData (datatype.hpp), handed
/// over as the buffer with a count of 1 (made once per process).
ucp_datatype_t streamed_datatype();

}  // namespace ferry::mpi
