#pragma once
// The matrices of matmul-offload and the row kernel, shared by the MPI program and the
// function library it ships, so that both sides compute bit-identical rows.
//
// Entries are small integers: every product and partial sum is exact in double, so the
// checksum does not depend on which rank or executor computed a row, nor in what order.

#include <cstddef>
#include <cstdint>

namespace ferry::apps::matmul {

/// Header of an offloaded invocation; the input continues with `rows` rows of A, then B.
struct RowsRequest {
  uint64_t n = 0;
  uint64_t rows = 0;
};

inline double a_entry(size_t i, size_t k) { return static_cast<double>((i * 3 + k * 5) % 17) - 6.0; }
inline double b_entry(size_t k, size_t j) { return static_cast<double>((k * 7 + j * 11) % 13) - 4.0; }

/// Rows multiplied together: their tiles of C stay in cache along with B's.
inline constexpr size_t row_group = 64;

/// Rows of C = `rows` rows of A (row-major, n wide) times the n x n matrix B.
inline void multiply_rows(const double* __restrict a, size_t rows, const double* __restrict b, size_t n,
                          double* __restrict c) {
  // Tiles of B small enough to stay in cache while every row of the group uses them.
  constexpr size_t tile_k = 128, tile_j = 256;
  for (size_t i = 0; i < rows * n; ++i) c[i] = 0.0;
  for (size_t j0 = 0; j0 < n; j0 += tile_j) {
    const size_t j1 = j0 + tile_j < n ? j0 + tile_j : n;
    for (size_t k0 = 0; k0 < n; k0 += tile_k) {
      const size_t k1 = k0 + tile_k < n ? k0 + tile_k : n;
      for (size_t i = 0; i < rows; ++i) {
        double* __restrict row_c = c + i * n;
        for (size_t k = k0; k < k1; ++k) {
          const double factor = a[i * n + k];
          const double* __restrict row_b = b + k * n;
          for (size_t j = j0; j < j1; ++j) row_c[j] += factor * row_b[j];
        }
      }
    }
  }
}

}  // namespace ferry::apps::matmul
