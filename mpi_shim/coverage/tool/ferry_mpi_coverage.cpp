// ferry-mpi-coverage: how much of Open MPI's C API the shim covers, and how.

#include <cstdio>
#include <cstring>

#include "mpi_shim/coverage/function_table.hpp"

namespace coverage = ferry::mpi::coverage;

namespace {

void print_counts() {
  const coverage::CoverageCounts counts = coverage::coverage_counts();
  std::printf("implemented %d\npass-through %d\nunsupported-on-hybrid %d\ntotal %d\n", counts.implemented,
              counts.passthrough, counts.unsupported, counts.total());
}

void print_table() {
  for (const coverage::FunctionEntry& entry : coverage::mpi_functions())
    std::printf("%.*s %.*s\n", int(entry.name.size()), entry.name.data(), int(coverage::status_name(entry.status).size()),
                coverage::status_name(entry.status).data());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 1) {
    print_counts();
    return 0;
  }
  if (argc == 2 && std::strcmp(argv[1], "--list") == 0) {
    print_table();
    return 0;
  }
  std::fprintf(stderr, "usage: ferry-mpi-coverage [--list]\n"
                       "  prints how many MPI functions the shim implements, passes to Open MPI,\n"
                       "  or refuses on communicators with function ranks; --list prints each one\n");
  return 2;
}
