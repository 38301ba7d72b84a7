#include "mpi_shim/coverage/coverage_report.h"

#include "mpi_shim/coverage/function_table.hpp"

int ferry_mpi_coverage(int* implemented, int* passthrough, int* unsupported) {
  const ferry::mpi::coverage::CoverageCounts counts = ferry::mpi::coverage::coverage_counts();
  if (implemented) *implemented = counts.implemented;
  if (passthrough) *passthrough = counts.passthrough;
  if (unsupported) *unsupported = counts.unsupported;
  return counts.total();
}
