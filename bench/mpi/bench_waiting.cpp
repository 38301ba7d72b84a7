// How each waiting mode serves latency-bound programs on an oversubscribed node: 4 ranks
// on this machine's cores, under plain mpirun (the baseline) and under `ferry run -n 2
// --functions 2` in hot, warm and adaptive mode and in the default mode (no --mode).
// Prints each mode's median over the runs, its ratio to plain Open MPI, and the ratio
// of the default to the best explicit mode.
#include <boost/program_options.hpp>

#include <algorithm>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "bench/mpi_launch.hpp"
#include "bench/report.hpp"

namespace po = boost::program_options;
namespace bench = ferry::bench;

namespace {

struct Program {
  std::string executable;  // in the benchmark directory
  std::vector<std::string> arguments;
  std::string figure;  // the "NAME 0 VALUE" line it prints, lower is better
  std::string unit;
};

const std::vector<Program> programs{
    {"bench_mpi_halo", {"4096", "2000"}, "halo-step", "us/step"},
    {"bench_mpi_probe_loop", {"20000"}, "probe-round-trip", "us"},
};

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  std::string ferry = FERRY_BENCH_CLI, directory = FERRY_BENCH_MPI_DIR, csv;
  unsigned repeat = 3, batch = 2, functions = 2;
  po::options_description description(
      "bench_waiting: latency-bound programs on an oversubscribed node, plain mpirun against ferry run in every "
      "waiting mode, same invocation");
  description.add_options()
      ("repeat", po::value(&repeat)->default_value(repeat), "runs of each configuration (median)")
      ("batch", po::value(&batch)->default_value(batch), "batch ranks")
      ("functions", po::value(&functions)->default_value(functions), "function ranks")
      ("ferry", po::value(&ferry)->default_value(ferry), "the ferry executable")
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
      const std::vector<std::string> run = bench::with({directory + "/" + program.executable}, program.arguments);
      std::map<std::string, std::vector<double>> samples;
      for (unsigned i = 0; i < repeat; ++i) {
        samples["plain"].push_back(
            bench::run_program(bench::with(bench::mpirun(batch + functions), run))[program.figure][0]);
        for (const std::string& mode : modes) {
          std::vector<std::string> command{ferry, "run", "-n", std::to_string(batch), "--functions",
                                           std::to_string(functions)};
          if (mode != "default") command.insert(command.end(), {"--mode", mode});
          command.emplace_back("--");
          samples[mode].push_back(bench::run_program(bench::with(command, run))[program.figure][0]);
        }
      }
      std::map<std::string, double> medians;
      for (const auto& [name, values] : samples) medians[name] = median(values);
      const double best = std::min({medians["hot"], medians["warm"], medians["adaptive"]});
      report.add({program.executable.substr(std::string("bench_mpi_").size()), program.unit,
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
