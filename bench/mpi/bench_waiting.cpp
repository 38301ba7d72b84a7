// How each waiting mode serves latency-bound programs on an oversubscribed node: 4 ranks
// on this machine's cores, under plain mpirun (the baseline) and under `ferry run -n 2
// --functions 2` in hot, warm and adaptive mode and in the default mode (no --mode: auto).
// Prints each mode's median over the runs, its ratio to plain Open MPI, and the ratio
// of the default to the best explicit mode.
#include <boost/program_options.hpp>

#include <algorithm>
#include <iostream>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench/mpi_launch.hpp"
#include "bench/report.hpp"

namespace po = boost::program_options;
namespace bench = ferry::bench;

namespace {

struct Program {
  std::string name;
  std::string executable;  // in the benchmark directory
  std::vector<std::string> arguments;
  std::string figure;  // the "FIGURE SIZE VALUE" line it prints, lower is better
  long size;
  std::string unit;
};

// Latency-bound programs: the two that behave like the third-party codes of the issue that
// found the slow default, the conjugate-gradient application on a small grid, and the
// OSU-style collectives.
const std::vector<Program> programs{
    {"halo", "bench_mpi_halo", {"4096", "2000"}, "halo-step", 0, "us/step"},
    {"probe_loop", "bench_mpi_probe_loop", {"20000"}, "probe-round-trip", 0, "us"},
    {"cg 32 2000", "cg", {"32", "2000"}, "cg", 0, "s"},
    {"allreduce 8 B", "bench_osu_allreduce", {}, "allreduce", 8, "us"},
    {"barrier", "bench_osu_barrier", {}, "barrier", 0, "us"},
};


}  // namespace

int main(int argc, char** argv) {
  std::string ferry = FERRY_BENCH_CLI, directory = FERRY_BENCH_MPI_DIR, csv;
  unsigned repeat = 3, batch = 2, functions = 2;
  std::vector<std::string> only;
  po::options_description description(
      "bench_waiting: latency-bound programs on an oversubscribed node, plain mpirun against ferry run in every "
      "waiting mode, same invocation");
  description.add_options()
      ("repeat", po::value(&repeat)->default_value(repeat), "runs of each configuration (median)")
      ("batch", po::value(&batch)->default_value(batch), "batch ranks")
      ("functions", po::value(&functions)->default_value(functions), "function ranks")
      ("ferry", po::value(&ferry)->default_value(ferry), "the ferry executable")
      ("programs", po::value(&only)->multitoken(), "run only these (halo probe_loop cg allreduce barrier)")
      ("csv", po::value(&csv), "also write the table as CSV");
  if (!bench::parse_command_line(argc, argv, description)) return 0;
  if (repeat == 0 || batch == 0) {
    std::cerr << "bench_waiting: --repeat and --batch must be at least 1\n";
    return 2;
  }
  const std::vector<std::string> modes{"hot", "warm", "adaptive", "default"};
  bench::Report report({"program", "unit", "plain", "hot", "warm", "adaptive", "default", "default/plain",
                        "default/best"});
  try {
    for (const Program& program : programs) {
      const std::string first_word = program.name.substr(0, program.name.find(' '));
      if (!only.empty() && std::find(only.begin(), only.end(), first_word) == only.end()) continue;
      const std::vector<std::string> run = bench::with({directory + "/" + program.executable}, program.arguments);
      std::map<std::string, std::vector<double>> samples;
      for (unsigned i = 0; i < repeat; ++i) {
        auto figure = [&](const bench::Results& results) {
          const auto found = results.find(program.figure);
          if (found == results.end() || found->second.count(program.size) == 0) {
            throw std::runtime_error(program.executable + " printed no " + program.figure + " figure");
          }
          return found->second.at(program.size);
        };
        samples["plain"].push_back(figure(bench::run_program(bench::with(bench::mpirun(batch + functions), run))));
        for (const std::string& mode : modes) {
          std::vector<std::string> command{ferry, "run", "-n", std::to_string(batch), "--functions",
                                           std::to_string(functions)};
          if (mode != "default") command.insert(command.end(), {"--mode", mode});
          command.emplace_back("--");
          samples[mode].push_back(figure(bench::run_program(bench::with(command, run))));
        }
      }
      std::map<std::string, double> medians;
      for (const auto& [name, values] : samples) medians[name] = ferry::bench::spread(values).median;
      const double best = std::min({medians["hot"], medians["warm"], medians["adaptive"]});
      report.add({program.name, program.unit,
                  bench::fixed(medians["plain"], 2), bench::fixed(medians["hot"], 2), bench::fixed(medians["warm"], 2),
                  bench::fixed(medians["adaptive"], 2), bench::fixed(medians["default"], 2),
                  bench::fixed(medians["default"] / medians["plain"], 3), bench::fixed(medians["default"] / best, 3)});
    }
  } catch (const std::exception& error) {
    std::cerr << "bench_waiting: " << error.what() << "\n";
    return 1;
  }
  report.print("Waiting modes, " + std::to_string(batch) + "+" + std::to_string(functions) +
               " ranks (targets: default/best <= 1.10, default/plain <= 1.0 when oversubscribed)");
  report.write_csv(csv);
  return 0;
}
