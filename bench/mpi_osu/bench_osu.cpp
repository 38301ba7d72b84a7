// OSU-style point-to-point and collective benchmarks against plain Open MPI, both measured
// in the same invocation: each at every rank count N under `mpirun -np N` and under
// `ferry run -n N/2 --functions N/2`, with the ratio ferry / native per message size.
// Point-to-point runs between ranks 0 and 1, so with N = 2 between a batch rank and a
// function rank.
#include <boost/program_options.hpp>

#include <algorithm>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "bench/mpi_launch.hpp"
#include "bench/report.hpp"

namespace po = boost::program_options;
namespace bench = ferry::bench;

namespace {

struct Benchmark {
  std::string name;
  std::string unit;  // of the values the program prints
  bool point_to_point;
};

const std::vector<Benchmark> benchmarks{
    {"latency", "us", true},    {"bandwidth", "MB/s", true}, {"barrier", "us", false}, {"bcast", "us", false},
    {"allreduce", "us", false}, {"allgather", "us", false},  {"alltoall", "us", false},
};

struct Setup {
  std::string ferry = FERRY_BENCH_CLI;
  std::string programs = FERRY_BENCH_MPI_DIR;
  std::string mode = "hot";
  std::vector<unsigned> ranks{2, 4};
};

void measure(const Setup& setup, const Benchmark& benchmark, unsigned ranks, bench::Report& report) {
  const std::string program = setup.programs + "/bench_osu_" + benchmark.name;
  bench::Results native = bench::run_program(bench::with(bench::mpirun(ranks), {program}));
  bench::Results offload =
      bench::run_program(bench::with(bench::ferry_run(setup.ferry, ranks / 2, ranks / 2, setup.mode), {program}));
  for (const auto& [size, value] : native[benchmark.name]) {
    const double ferry = offload[benchmark.name][size];
    report.add({benchmark.name, std::to_string(ranks), benchmark.name == "barrier" ? "-" : bench::size_text(size),
                benchmark.unit, bench::fixed(value, 3), bench::fixed(ferry, 3), bench::fixed(ferry / value, 3)});
  }
}

std::vector<unsigned> parse_ranks(const std::string& text) {
  std::vector<unsigned> ranks;
  std::istringstream fields(text);
  for (std::string field; std::getline(fields, field, ',');) {
    unsigned value = 0;
    std::istringstream number(field);
    if (!(number >> value) || !number.eof() || value < 2 || value % 2 != 0) {
      throw std::invalid_argument("--ranks takes even counts of at least 2, comma-separated; got '" + field + "'");
    }
    ranks.push_back(value);
  }
  if (ranks.empty()) throw std::invalid_argument("--ranks is empty");
  return ranks;
}

}  // namespace

int main(int argc, char** argv) {
  Setup setup;
  std::string csv, only = "all", ranks_text = "2,4";
  po::options_description description(
      "bench_osu: OSU-style point-to-point latency and bandwidth (8 B - 4 MiB, 2 ranks) and collective latency "
      "(8 B - 1 MiB), plain mpirun (baseline) against ferry run with half the ranks as function ranks, same "
      "invocation");
  description.add_options()
      ("case", po::value(&only)->default_value(only),
       "all, point-to-point, collectives, or one of latency, bandwidth, barrier, bcast, allreduce, allgather, "
       "alltoall")
      ("ranks", po::value(&ranks_text)->default_value(ranks_text),
       "rank counts N (even): N/2 batch + N/2 function ranks")
      ("mode", po::value(&setup.mode)->default_value(setup.mode), "FERRY_MODE of the ranks: auto, hot, warm or adaptive")
      ("ferry", po::value(&setup.ferry)->default_value(setup.ferry), "the ferry executable")
      ("csv", po::value(&csv), "also write the table as CSV");
  if (!bench::parse_command_line(argc, argv, description)) return 0;
  const auto selected = [&](const Benchmark& benchmark) {
    return only == "all" || only == benchmark.name || (only == "point-to-point" && benchmark.point_to_point) ||
           (only == "collectives" && !benchmark.point_to_point);
  };
  if (std::none_of(benchmarks.begin(), benchmarks.end(), selected)) {
    std::cerr << "bench_osu: unknown --case '" << only << "'\n";
    return 2;
  }
  bench::Report report({"benchmark", "ranks", "size", "unit", "native", "ferry", "ratio"});
  try {
    setup.ranks = parse_ranks(ranks_text);
    for (const auto& benchmark : benchmarks) {
      if (!selected(benchmark)) continue;
      if (benchmark.point_to_point) {
        measure(setup, benchmark, 2, report);
        continue;
      }
      for (const unsigned ranks : setup.ranks) measure(setup, benchmark, ranks, report);
    }
  } catch (const std::exception& error) {
    std::cerr << "bench_osu: " << error.what() << "\n";
    return 1;
  }
  report.print("OSU-style benchmarks (" + setup.mode +
               " mode): plain mpirun vs ferry run with N/2 function ranks; ratio = ferry / native "
               "(latency: lower is better, bandwidth: higher is better)");
  report.write_csv(csv);
  return 0;
}
