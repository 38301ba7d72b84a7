#include <iostream>

#include "runtime/cli/options.hpp"
#include "runtime/lease/secret.hpp"

namespace ferry::cli {

int run_secret_command(const Arguments& args) {
  std::string path;
  po::options_description options("ferry secret: write a new random cluster secret (mode 0600) for a manager and its spawners");
  options.add_options()("file", po::value(&path)->required(), "where to write it");
  po::positional_options_description positional;
  positional.add("file", 1);
  po::variables_map values;
  if (!parse_options(args, "ferry secret FILE", options, values, &positional)) return 0;
  lease::Secret::generate().save(path);
  std::cout << "wrote a new cluster secret to " << path << "\n";
  return 0;
}

}  // namespace ferry::cli
