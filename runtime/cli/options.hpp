#pragma once

#include <boost/program_options.hpp>

#include "runtime/cli/command.hpp"

namespace ferry::cli {

namespace po = boost::program_options;

/// Parses `args` against `options` (adding --help). Returns false after printing help;
/// throws Error(invalid_argument) with Boost's message on bad input.
bool parse_options(const Arguments& args, const char* usage, po::options_description& options,
                   po::variables_map& values, const po::positional_options_description* positional = nullptr);

}  // namespace ferry::cli
