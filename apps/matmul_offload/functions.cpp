// The function matmul-offload ships to its executor.
#include <algorithm>
#include <cstring>

#include "apps/matmul_offload/kernel.hpp"

extern "C" {

/// Input: RowsRequest, then `rows` rows of A, then B (n x n doubles). Output: the
/// `rows` rows of C = A * B. Returns the bytes written, or -1 on a malformed input.
int64_t matmul_rows(const void* in, size_t in_size, void* out, size_t out_cap) {
  using ferry::apps::matmul::RowsRequest;
  RowsRequest request;
  if (in_size < sizeof request) return -1;
  std::memcpy(&request, in, sizeof request);
  const size_t n = request.n, rows = request.rows;
  if (n == 0 || n > (1u << 16) || rows > n) return -1;
  const size_t expected = sizeof request + (rows + n) * n * sizeof(double);
  if (in_size != expected || out_cap < rows * n * sizeof(double)) return -1;
  // The worker aligns input buffers to 64 bytes, and the doubles start 16 bytes in.
  const auto* a = reinterpret_cast<const double*>(static_cast<const std::byte*>(in) + sizeof request);
  const double* b = a + rows * n;
  auto* c = static_cast<double*>(out);
  for (size_t i = 0; i < rows; i += ferry::apps::matmul::row_group) {
    const size_t group = std::min(ferry::apps::matmul::row_group, rows - i);
    ferry::apps::matmul::multiply_rows(a + i * n, group, b, n, c + i * n);
  }
  return static_cast<int64_t>(rows * n * sizeof(double));
}
}
