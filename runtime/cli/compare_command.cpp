// ferry compare: times a program as plain B ranks, plain B+F ranks and B ranks with F
// function ranks under Ferry, interleaved, and reports the speedup of the offload.
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>

#include "runtime/cli/compare_report.hpp"
#include "runtime/cli/compare_runs.hpp"
#include "runtime/cli/options.hpp"
#include "runtime/cli/run_launcher.hpp"
#include "runtime/common/error.hpp"

namespace ferry::cli {

namespace {
namespace fs = std::filesystem;

constexpr size_t stderr_tail_lines = 20;
constexpr const char* usage =
    "ferry compare -n B --functions F [--repeat R] [--csv FILE] [--plot FILE.png]\n"
    "                 [--mode auto|hot|warm|adaptive] -- PROGRAM ARGS...";

struct CompareOptions {
  unsigned batch_ranks = 1;
  unsigned function_ranks = 1;
  unsigned repeat = 3;
  std::string mode = "auto";
  std::optional<std::string> csv;
  std::optional<std::string> plot;
  std::vector<std::string> program;
};

void check_compare_options(const CompareOptions& options) {
  if (options.batch_ranks == 0) throw Error(Errc::invalid_argument, "-n must be at least 1");
  if (options.function_ranks == 0) throw Error(Errc::invalid_argument, "--functions must be at least 1");
  if (options.repeat == 0) throw Error(Errc::invalid_argument, "--repeat must be at least 1");
  if (options.mode != "hot" && options.mode != "warm" && options.mode != "adaptive" && options.mode != "auto") {
    throw Error(Errc::invalid_argument, "--mode must be hot, warm, adaptive or auto, not '" + options.mode + "'");
  }
  if (options.csv && options.csv->empty()) throw Error(Errc::invalid_argument, "--csv needs a file name");
  if (options.plot && options.plot->empty()) throw Error(Errc::invalid_argument, "--plot needs a file name");
  if (options.program.empty()) throw Error(Errc::invalid_argument, "no program given; usage: " + std::string(usage));
  for (const auto& [option, file] : {std::pair{"--csv", options.csv}, std::pair{"--plot", options.plot}}) {
    const fs::path directory = file ? fs::path(*file).parent_path() : fs::path();
    if (!directory.empty() && !fs::is_directory(directory)) {
      throw Error(Errc::invalid_argument, std::string(option) + ": the directory '" + directory.string() + "' does not exist");
    }
  }
}

bool parse_compare_options(const Arguments& args, CompareOptions& options) {
  const auto separator = std::find(args.begin(), args.end(), "--");
  const Arguments own(args.begin(), separator);
  if (separator != args.end()) options.program.assign(separator + 1, args.end());
  std::string csv, plot;
  po::options_description description(
      "ferry compare: times PROGRAM as plain B ranks, plain B+F ranks and B ranks with F function ranks\n"
      "(ferry run), R times each, interleaved. PROGRAM prints `result app=NAME ranks=P time=SECONDS check=VALUE`;\n"
      "every run's check must agree (numbers to a relative 1e-9). The last line printed is\n"
      "`speedup S efficiency E`: median(B)/median(Ferry) and median(B+F)/median(Ferry)");
  description.add_options()
      ("ranks,n", po::value(&options.batch_ranks)->required(), "batch ranks B")
      ("functions", po::value(&options.function_ranks)->required(), "function ranks F (at least 1)")
      ("repeat", po::value(&options.repeat)->default_value(options.repeat), "runs of each configuration")
      ("csv", po::value(&csv), "write every run and the summary to this CSV file")
      ("plot", po::value(&plot), "draw a PNG bar chart of the median times to this file (needs gnuplot)")
      ("mode", po::value(&options.mode)->default_value(options.mode), "how Ferry's ranks wait: auto, hot, warm or adaptive");
  po::variables_map values;
  if (!parse_options(own, usage, description, values)) return false;
  if (separator == args.end()) throw Error(Errc::invalid_argument, "missing '-- PROGRAM ARGS...'; usage: " + std::string(usage));
  if (values.count("csv") != 0) options.csv = csv;
  if (values.count("plot") != 0) options.plot = plot;
  check_compare_options(options);
  return true;
}

std::vector<std::string> plain_mpirun(const CompareOptions& options, unsigned ranks) {
  RunOptions run;
  run.batch_ranks = ranks;
  run.program = options.program;
  JobEnvironment environment;
  if (const char* user = std::getenv("LD_PRELOAD")) environment.preload = user;
  return launcher_command(run, environment);
}

std::vector<Configuration> configurations(const CompareOptions& options) {
  const unsigned b = options.batch_ranks, f = options.function_ranks;
  std::vector<std::string> ferry{fs::read_symlink("/proc/self/exe").string(), "run", "-n", std::to_string(b),
                                 "--functions", std::to_string(f), "--mode", options.mode, "--"};
  ferry.insert(ferry.end(), options.program.begin(), options.program.end());
  return {{"mpirun -np " + std::to_string(b), b, plain_mpirun(options, b)},
          {"mpirun -np " + std::to_string(b + f), b + f, plain_mpirun(options, b + f)},
          {"ferry run -n " + std::to_string(b) + " --functions " + std::to_string(f) + " --mode " + options.mode, b + f,
           ferry}};
}

ResultLine result_of(const Configuration& configuration, const CapturedRun& run) {
  const std::string command = command_line(configuration.command);
  if (run.exit_code != 0) {
    throw Error(Errc::function_failed, "run failed with exit code " + std::to_string(run.exit_code) + ": " + command +
                                           "\nlast lines of its stderr:\n" + tail_lines(run.err, stderr_tail_lines));
  }
  std::optional<ResultLine> result;
  try {
    result = find_result_line(run.out);
  } catch (const Error& error) {
    throw Error(Errc::invalid_argument, std::string(error.what()) + ", printed by: " + command);
  }
  if (!result) {
    throw Error(Errc::invalid_argument, "no line 'result app=... ranks=... time=... check=...' in the output of: " +
                                            command + "\nlast lines of its stdout:\n" + tail_lines(run.out, stderr_tail_lines));
  }
  if (result->ranks != configuration.ranks) {
    throw Error(Errc::invalid_argument, "the program reported ranks=" + std::to_string(result->ranks) + ", expected " +
                                            std::to_string(configuration.ranks) + ", in: " + command);
  }
  return *result;
}

void check_agreement(const Comparison& comparison, const Sample& sample) {
  const Sample& first = comparison.samples.front();
  if (checks_agree(first.check, sample.check)) return;
  throw Error(Errc::invalid_argument,
              "check values disagree: " + command_line(comparison.configurations[sample.configuration].command) +
                  " gave check=" + sample.check + ", but " +
                  command_line(comparison.configurations[first.configuration].command) + " gave check=" + first.check);
}

Comparison measure(const CompareOptions& options) {
  Comparison comparison;
  comparison.program = fs::path(options.program.front()).filename().string();
  comparison.configurations = configurations(options);
  const size_t total = options.repeat * comparison.configurations.size();
  for (unsigned repeat = 1; repeat <= options.repeat; ++repeat) {
    for (size_t index = 0; index < comparison.configurations.size(); ++index) {
      const Configuration& configuration = comparison.configurations[index];
      std::cerr << "[" << comparison.samples.size() + 1 << "/" << total << "] " << command_line(configuration.command)
                << ": " << std::flush;
      std::optional<ResultLine> result;
      try {
        result = result_of(configuration, run_captured(configuration.command));
      } catch (const Error&) {
        std::cerr << "failed" << std::endl;
        throw;
      }
      std::cerr << result->seconds << " s" << std::endl;
      comparison.samples.push_back({index, repeat, result->seconds, result->check});
      check_agreement(comparison, comparison.samples.back());
    }
  }
  return comparison;
}
}  // namespace

int run_compare_command(const Arguments& args) {
  CompareOptions options;
  if (!parse_compare_options(args, options)) return 0;
  std::optional<std::string> gnuplot;
  if (options.plot) {
    gnuplot = find_on_path("gnuplot");
    if (!gnuplot) {
      throw Error(Errc::not_found, "--plot needs gnuplot, which is not on PATH (Debian: apt-get install gnuplot-nox)");
    }
  }
  const Comparison comparison = measure(options);
  print_report(std::cout, comparison);
  if (options.csv) write_csv(*options.csv, comparison);
  if (options.plot) draw_plot(*gnuplot, *options.plot, comparison);
  return 0;
}

}  // namespace ferry::cli
