// OSU-style collective latencies against plain Open MPI, both measured in the same
// invocation: each collective at every rank count N under `mpirun -np N` and under
// `ferry run -n N/2 --functions N/2`, with the ratio ferry / native per message size.
#include <boost/program_options.hpp>

#include <iostream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "bench/mpi_launch.hpp"
#include "bench/report.hpp"

namespace po = boost::program_options;
namespace bench = ferry::bench;

namespace {

const std::vector<std::string> collectives{"barrier", "bcast", "allreduce", "allgather", "alltoall"};

struct Setup {
  std::string ferry = FERRY_BENCH_CLI;
  std::string programs = FERRY_BENCH_MPI_DIR;
  std::string mode = "hot";
  std::vector<unsigned> ranks{2, 4};
};

void measure(const Setup& setup, const std::string& collective, unsigned ranks, bench::Report& report) {
  const std::string program = setup.programs + "/bench_osu_" + collective;
  bench::Results native = bench::run_program(bench::with(bench::mpirun(ranks), {program}));
  bench::Results offload =
      bench::run_program(bench::with(bench::ferry_run(setup.ferry, ranks / 2, ranks / 2, setup.mode), {program}));
  for (const auto& [size, latency] : native[collective]) {
    const double ferry = offload[collective][size];
    report.add({collective, std::to_string(ranks), collective == "barrier" ? "-" : bench::size_text(size),
                bench::fixed(latency, 3), bench::fixed(ferry, 3), bench::fixed(ferry / latency, 3)});
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
      "bench_collectives: OSU-style collective latency, plain mpirun (baseline) against ferry run with half the "
      "ranks as function ranks, same invocation");
  description.add_options()
      ("case", po::value(&only)->default_value(only), "all, barrier, bcast, allreduce, allgather or alltoall")
      ("ranks", po::value(&ranks_text)->default_value(ranks_text),
       "rank counts N (even): N/2 batch + N/2 function ranks")
      ("mode", po::value(&setup.mode)->default_value(setup.mode), "FERRY_MODE of the ranks: hot, warm or adaptive")
      ("ferry", po::value(&setup.ferry)->default_value(setup.ferry), "the ferry executable")
      ("csv", po::value(&csv), "also write the table as CSV");
  if (!bench::parse_command_line(argc, argv, description)) return 0;
  const std::set<std::string> known(collectives.begin(), collectives.end());
  if (only != "all" && known.count(only) == 0) {
    std::cerr << "bench_collectives: unknown --case '" << only << "'\n";
    return 2;
  }
  bench::Report report({"collective", "ranks", "size", "native_us", "ferry_us", "ratio"});
  try {
    setup.ranks = parse_ranks(ranks_text);
    for (const auto& collective : collectives) {
      if (only != "all" && only != collective) continue;
      for (const unsigned ranks : setup.ranks) measure(setup, collective, ranks, report);
    }
  } catch (const std::exception& error) {
    std::cerr << "bench_collectives: " << error.what() << "\n";
    return 1;
  }
  report.print("Collective latency (" + setup.mode + " mode): plain mpirun vs ferry run, N/2 function ranks");
  report.write_csv(csv);
  return 0;
}
