#include "runtime/cli/options.hpp"

#include <iostream>

#include "runtime/common/error.hpp"

namespace ferry::cli {

bool parse_options(const Arguments& args, const char* usage, po::options_description& options,
                   po::variables_map& values, const po::positional_options_description* positional) {
  options.add_options()("help,h", "show this help");
  try {
    auto parser = po::command_line_parser(args).options(options);
    if (positional != nullptr) parser.positional(*positional);
    po::store(parser.run(), values);
    if (values.count("help") != 0) {
      std::cout << "usage: " << usage << "\n\n" << options << "\n";
      return false;
    }
    po::notify(values);
  } catch (const po::error& error) {
    throw Error(Errc::invalid_argument, std::string(error.what()) + " (see --help)");
  }
  return true;
}

}  // namespace ferry::cli
