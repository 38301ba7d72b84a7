#include <iostream>

#include "runtime/cli/options.hpp"
#include "runtime/cli/run_shim_location.hpp"

namespace ferry::cli {

int run_shim_path_command(const Arguments& args) {
  po::options_description options(
      "ferry shim-path: print the absolute path of libferry_mpi.so (FERRY_MPI_SHIM overrides the search)");
  po::variables_map values;
  if (!parse_options(args, "ferry shim-path", options, values)) return 0;
  std::cout << find_mpi_shim() << "\n";
  return 0;
}

}  // namespace ferry::cli
