// ferry_mpi_coverage_generator: builds the shim's MPI function table and guards from
// Open MPI's mpi.h, the symbols libmpi exports, and the shim's hand-written sources.

#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "classification.hpp"
#include "emitters.hpp"
#include "exported_symbols.hpp"
#include "header_parser.hpp"
#include "source_scanner.hpp"
#include "text.hpp"

namespace generator = ferry::mpi::coverage::generator;

namespace {

struct Options {
  std::string header, nm, library, table_output, guards_output;
  std::vector<std::string> sources;
};

constexpr const char* usage =
    "usage: ferry_mpi_coverage_generator --header mpi.h --nm NM --library libmpi.so\n"
    "       --table function_table.cpp --guards guards.cpp [shim sources...]\n";

Options parse_options(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string argument = argv[i];
    std::string* target = argument == "--header"    ? &options.header
                          : argument == "--nm"      ? &options.nm
                          : argument == "--library" ? &options.library
                          : argument == "--table"   ? &options.table_output
                          : argument == "--guards"  ? &options.guards_output
                                                    : nullptr;
    if (target && i + 1 < argc) *target = argv[++i];
    else if (!target && argument.rfind("--", 0) != 0) options.sources.push_back(argument);
    else throw std::invalid_argument("bad argument " + argument);
  }
  if (options.header.empty() || options.nm.empty() || options.library.empty() || options.table_output.empty() ||
      options.guards_output.empty())
    throw std::invalid_argument("missing a required option");
  return options;
}

std::set<std::string> implemented_functions(const std::vector<std::string>& sources) {
  std::set<std::string> names;
  for (const std::string& source : sources) {
    if (source.find("/coverage/") != std::string::npos) continue;
    names.merge(generator::hand_written_definitions(generator::read_file(source)));
  }
  return names;
}

// The declared functions libmpi really exports (mpi.h declares a few it may not build).
std::vector<generator::Prototype> exported_prototypes(const Options& options, const std::set<std::string>& exported) {
  std::vector<generator::Prototype> kept;
  for (generator::Prototype& prototype : generator::parse_mpi_header(generator::read_file(options.header)))
    if (exported.count(prototype.name)) kept.push_back(std::move(prototype));
  if (kept.empty()) throw std::runtime_error(options.header + " declares no MPI function that libmpi exports");
  return kept;
}

void check_forwardable(const std::vector<generator::Classified>& table, const std::set<std::string>& exported) {
  for (const generator::Classified& entry : table)
    if (entry.disposition == generator::Disposition::unsupported && !exported.count("P" + entry.prototype.name))
      throw std::runtime_error("libmpi does not export P" + entry.prototype.name + ", which its guard needs");
}

// Leaves an unchanged file alone, so that its dependents are not rebuilt.
void write_file(const std::string& path, const std::string& contents) {
  if (std::filesystem::exists(path) && generator::read_file(path) == contents) return;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << contents;
  out.close();
  if (!out) throw std::runtime_error("cannot write " + path);
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  try {
    options = parse_options(argc, argv);
  } catch (const std::exception& error) {
    std::cerr << "ferry_mpi_coverage_generator: " << error.what() << '\n' << usage;
    return 2;
  }
  try {
    const std::set<std::string> exported = generator::exported_functions(options.nm, options.library);
    const std::vector<generator::Classified> table =
        generator::classify(exported_prototypes(options, exported), implemented_functions(options.sources));
    check_forwardable(table, exported);
    std::ostringstream function_table, guards;
    generator::emit_function_table(function_table, table);
    generator::emit_guards(guards, table);
    write_file(options.table_output, function_table.str());
    write_file(options.guards_output, guards.str());
  } catch (const std::exception& error) {
    std::cerr << "ferry_mpi_coverage_generator: " << error.what() << '\n';
    return 1;
  }
  return 0;
}
