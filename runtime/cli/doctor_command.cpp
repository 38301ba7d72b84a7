#include <iostream>

#include "runtime/cli/doctor.hpp"
#include "runtime/cli/options.hpp"

namespace ferry::cli {

int run_doctor_command(const Arguments& args) {
  po::options_description options("ferry doctor: check that everything Ferry needs is in place, with a fix for each gap");
  po::variables_map values;
  if (!parse_options(args, "ferry doctor", options, values)) return 0;
  return run_doctor(std::cout);
}

}  // namespace ferry::cli
