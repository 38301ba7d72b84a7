// Every performance target of Ferry in one table, from one run: each benchmark of bench/
// runs with its baseline measured in the same invocation (raw UCX, plain Open MPI), and the
// summary takes the figure each target is about, its ratio, and whether it is met.
#include <boost/program_options.hpp>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench/mpi_launch.hpp"
#include "bench/report.hpp"

namespace po = boost::program_options;
namespace bench = ferry::bench;
namespace fs = std::filesystem;

namespace {

using Row = std::map<std::string, std::string>;

/// The cells of a CSV line as Report::write_csv writes them (RFC 4180, no line breaks in cells).
std::vector<std::string> csv_cells(const std::string& line) {
  std::vector<std::string> cells(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted && c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
      cells.back() += '"';
      ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      cells.emplace_back();
    } else {
      cells.back() += c;
    }
  }
  return cells;
}

std::vector<Row> read_csv(const fs::path& path) {
  std::ifstream in(path);
  std::vector<std::string> columns;
  std::vector<Row> rows;
  for (std::string line; std::getline(in, line);) {
    const std::vector<std::string> cells = csv_cells(line);
    if (columns.empty()) {
      columns = cells;
      continue;
    }
    Row row;
    for (size_t i = 0; i < columns.size() && i < cells.size(); ++i) row[columns[i]] = cells[i];
    rows.push_back(std::move(row));
  }
  if (columns.empty()) throw std::runtime_error("no table in " + path.string());
  return rows;
}

/// The first row whose cells include every (column, value) of `match`.
const Row& find_row(const std::vector<Row>& rows, const Row& match, const std::string& table) {
  for (const Row& row : rows) {
    if (std::all_of(match.begin(), match.end(), [&](const auto& cell) {
          const auto found = row.find(cell.first);
          return found != row.end() && found->second == cell.second;
        })) {
      return row;
    }
  }
  std::string wanted;
  for (const auto& [column, value] : match) wanted += " " + column + "=" + value;
  throw std::runtime_error("no row" + wanted + " in " + table);
}

double number(const Row& row, const std::string& column) { return std::stod(row.at(column)); }

/// Runs a benchmark with --csv into `directory` and returns its rows.
std::vector<Row> run_table(const std::string& directory, const std::string& name, std::vector<std::string> command) {
  const std::string csv = directory + "/" + name + ".csv";
  command.insert(command.end(), {"--csv", csv});
  std::cerr << "bench_summary: " << name << "\n";
  bench::run_program(command);
  return read_csv(csv);
}

struct Target {
  std::string what;
  std::string ferry;
  std::string baseline;
  double figure;
  std::string goal;  // "<= X" or ">= X"
  double bound;
};

bool met(const Target& target) {
  return target.goal == "<=" ? target.figure <= target.bound : target.figure >= target.bound;
}


/// Wall seconds of a whole command.
double wall_seconds(const std::vector<std::string>& command) {
  const auto started = std::chrono::steady_clock::now();
  bench::run_program(command);
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
}

}  // namespace

int main(int argc, char** argv) {
  std::string bin = FERRY_BENCH_BIN_DIR, csv;
  unsigned repeat = 5;
  po::options_description description(
      "bench_summary: every performance target in one table, each against a baseline of the same run");
  description.add_options()
      ("repeat", po::value(&repeat)->default_value(repeat), "repetitions of the benchmarks that repeat")
      ("bin", po::value(&bin)->default_value(bin), "where the benchmarks and ferry are")
      ("csv", po::value(&csv), "also write the table as CSV");
  if (!bench::parse_command_line(argc, argv, description)) return 0;
  if (repeat == 0) {
    std::cerr << "bench_summary: --repeat must be at least 1\n";
    return 2;
  }
  std::string directory = (fs::temp_directory_path() / "ferry-bench-summary-XXXXXX").string();
  if (::mkdtemp(directory.data()) == nullptr) {
    std::cerr << "bench_summary: cannot make a temporary directory\n";
    return 1;
  }
  const std::string ferry = bin + "/ferry", times = std::to_string(repeat);
  std::vector<Target> targets;
  try {
    const auto invoke = run_table(directory, "invoke", {bin + "/bench_invoke_latency", "--modes", "hot", "--sizes", "8",
                                                        "1048576", "--repeat", times});
    const Row& small = find_row(invoke, {{"mode", "hot"}, {"bytes", "8"}}, "bench_invoke_latency");
    targets.push_back({"hot invocation round trip, 8 B (us)", small.at("ferry_us"), small.at("raw_us") + " raw UCX",
                       number(small, "ratio"), "<=", 1.3});
    const Row& large = find_row(invoke, {{"mode", "hot"}, {"bytes", "1048576"}}, "bench_invoke_latency");
    targets.push_back({"invocation bandwidth, 1 MiB (MB/s)", large.at("ferry_MBps"), large.at("raw_MBps") + " raw UCX",
                       number(large, "bw_ratio"), ">=", 0.9});

    const auto cold = run_table(directory, "cold", {bin + "/bench_cold_start", "--repeat", "20"});
    const Row& total = find_row(cold, {{"phase", "total"}}, "bench_cold_start");
    targets.push_back({"cold start, lease to first result (ms)", total.at("median_ms"), "-", number(total, "median_ms"),
                       "<=", 20});

    const auto offload_row = [&](const std::string& name, const std::string& rank_case, const std::string& mode,
                                 const std::string& benchmark, const std::string& size) {
      return find_row(run_table(directory, name, {bin + "/bench_rank_offload", "--case", rank_case, "--mode", mode,
                                                  "--repeat", times}),
                      {{"benchmark", benchmark}, {"size", size}}, "bench_rank_offload --case " + rank_case);
    };
    const auto p2p = run_table(directory, "p2p", {bin + "/bench_rank_offload", "--case", "p2p", "--mode", "hot"});
    const Row& latency = find_row(p2p, {{"benchmark", "p2p latency"}, {"size", "8 B"}}, "bench_rank_offload p2p");
    targets.push_back({"MPI point-to-point latency, 8 B, hot (us)", latency.at("ferry"), latency.at("baseline") + " Open MPI",
                       number(latency, "ratio"), "<=", 1.3});
    const Row& bandwidth = find_row(p2p, {{"benchmark", "p2p bandwidth"}, {"size", "1 MiB"}}, "bench_rank_offload p2p");
    targets.push_back({"MPI bandwidth, 1 MiB, hot (MB/s)", bandwidth.at("ferry"), bandwidth.at("baseline") + " Open MPI",
                       number(bandwidth, "ratio"), ">=", 0.9});
    const Row rate = offload_row("rate", "rate", "hot", "msg rate", "8 B");
    targets.push_back({"MPI message rate, 8 B, hot (M/s)", rate.at("ferry"), rate.at("baseline") + " Open MPI",
                       number(rate, "ratio"), ">=", 0.8});
    const Row reduce = offload_row("allreduce", "allreduce", "hot", "allreduce 4 ranks", "8 B");
    targets.push_back({"Allreduce 8 B, 4 ranks (2+2), hot (us)", reduce.at("ferry"), reduce.at("baseline") + " Open MPI",
                       number(reduce, "ratio"), "<=", 1.2});
    const auto comm = run_table(directory, "comm", {bin + "/bench_rank_offload", "--case", "comm", "--mode", "auto"});
    for (const std::string name : {"Comm_split+free, 4 ranks", "Comm_dup+free, 4 ranks"}) {
      const Row& row = find_row(comm, {{"benchmark", name}}, "bench_rank_offload comm");
      targets.push_back({name + " (us)", row.at("ferry"), row.at("baseline") + " Open MPI", number(row, "ratio"), "<=", 2});
    }
    const auto init = run_table(directory, "init", {bin + "/bench_rank_offload", "--case", "init", "--mode", "auto",
                                                    "--repeat", times});
    for (const auto& [benchmark, label] : {std::pair<std::string, std::string>{"MPI_Init, 1+4 ranks", ""},
                                           {"MPI_Init, 1+4 ranks, pml ob1", ", Open MPI's pml named (ob1)"}}) {
      const Row& row = find_row(init, {{"benchmark", benchmark}}, "bench_rank_offload --case init");
      targets.push_back({"MPI_Init, 1 batch + 4 function ranks" + label + " (ms)", row.at("ferry"),
                         row.at("baseline") + " mpirun -np 5", number(row, "ferry"), "<=", 100});
    }

    // ferry run of a trivial program against plain mpirun, alternating, paired.
    std::vector<double> ferry_s, plain_s, extra_ms;
    const std::string ring = bin + "/mpi_ring";
    for (unsigned i = 0; i < repeat; ++i) {
      ferry_s.push_back(wall_seconds({ferry, "run", "-n", "1", "--functions", "1", "--", ring}));
      plain_s.push_back(wall_seconds(bench::with(bench::mpirun(2), {ring})));
      extra_ms.push_back((ferry_s.back() - plain_s.back()) * 1000.0);
    }
    targets.push_back({"ferry run -n 1 --functions 1 mpi_ring, over mpirun -np 2 (ms)",
                       bench::fixed(bench::spread(ferry_s).median * 1000.0, 1),
                       bench::fixed(bench::spread(plain_s).median * 1000.0, 1),
                       bench::spread(extra_ms).median, "<=", 50});

    const auto waiting = run_table(directory, "waiting", {bin + "/bench_waiting", "--repeat", "3"});
    for (const Row& row : waiting) {
      const std::string program = row.at("program");
      targets.push_back({"default mode, " + program + ", 2+2 on this machine (" + row.at("unit") + ") / best mode",
                         row.at("default"), "best of hot/warm/adaptive", number(row, "default/best"), "<=", 1.1});
      targets.push_back({"default mode, " + program + " / plain mpirun -np 4", row.at("default"), row.at("plain"),
                         number(row, "default/plain"), "<=", 1.0});
    }
  } catch (const std::exception& error) {
    std::cerr << "bench_summary: " << error.what() << "\n";
    fs::remove_all(directory);
    return 1;
  }
  fs::remove_all(directory);
  bench::Report report({"target", "ferry", "baseline", "figure", "goal", "met"});
  unsigned met_count = 0;
  for (const Target& target : targets) {
    const bool ok = met(target);
    met_count += ok ? 1U : 0U;
    report.add({target.what, target.ferry, target.baseline, bench::fixed(target.figure, 2),
                target.goal + " " + bench::fixed(target.bound, 2), ok ? "yes" : "NO"});
  }
  report.print("Ferry's performance targets, " + std::to_string(met_count) + " of " + std::to_string(targets.size()) +
               " met (figure: a ratio to the baseline, or the value itself where the goal is absolute)");
  report.write_csv(csv);
  return 0;
}
