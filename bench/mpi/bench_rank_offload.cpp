// Rank offload against plain Open MPI, both measured in the same invocation:
// point-to-point latency and bandwidth with rank 1 as a function rank, the same from
// Fortran (with the ratio of its latency to C's), the bandwidth of a strided vector type,
// an 8-byte allreduce on 4 ranks, communicator creation on 4 ranks, collective write
// bandwidth of a 256 MiB file on 4 ranks, MPI_Put + MPI_Win_flush to a function rank
// against Open MPI's own one-sided component between two batch ranks of the same run,
// MPI_Init with 4 function ranks (also with Open MPI's point-to-point layer named), the
// F = 0 pass-through cost, and the message rate that granting MPI_THREAD_MULTIPLE leaves
// to a program that calls MPI from one thread.
#include <boost/program_options.hpp>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench/mpi_launch.hpp"
#include "bench/report.hpp"

namespace po = boost::program_options;

namespace {

using ferry::bench::mpirun;
using ferry::bench::quoted;
using ferry::bench::Results;
using ferry::bench::run_program;
using ferry::bench::size_text;
using ferry::bench::with;

struct Setup {
  std::string ferry = FERRY_BENCH_CLI;
  std::string programs = FERRY_BENCH_MPI_DIR;
  std::string mode = "warm";
  unsigned repeat = 5;
  std::string osc = "ucx";
};

std::vector<std::string> ferry_run(const Setup& setup, unsigned batch, unsigned functions) {
  return ferry::bench::ferry_run(setup.ferry, batch, functions, setup.mode);
}

void add_row(ferry::bench::Report& report, const std::string& name, long size, double baseline, double ferry,
             const std::string& unit, const std::string& target) {
  report.add({name, size < 0 ? "-" : size_text(size), ferry::bench::fixed(baseline, 3), ferry::bench::fixed(ferry, 3),
              unit, ferry::bench::fixed(ferry / baseline, 3), target});
}

// Each figure of `runs`, the median over the runs that have it.
Results medians(const std::vector<Results>& runs) {
  std::map<std::string, std::map<long, std::vector<double>>> samples;
  for (const Results& run : runs) {
    for (const auto& [name, values] : run) {
      for (const auto& [size, value] : values) samples[name][size].push_back(value);
    }
  }
  Results median;
  for (auto& [name, values] : samples) {
    for (auto& [size, all] : values) median[name][size] = ferry::bench::spread(all).median;
  }
  return median;
}

// Two commands run in alternation `repeat` times, each figure the median of its runs (the
// same ping-pong moved 3x between runs a minute apart here).
std::pair<Results, Results> measured_alternately(const std::vector<std::string>& baseline,
                                                 const std::vector<std::string>& ferry, unsigned repeat) {
  std::vector<Results> baseline_runs, ferry_runs;
  for (unsigned i = 0; i < repeat; ++i) {
    baseline_runs.push_back(run_program(baseline));
    ferry_runs.push_back(run_program(ferry));
  }
  return {medians(baseline_runs), medians(ferry_runs)};
}

void point_to_point(const Setup& setup, ferry::bench::Report& report) {
  const std::string program = setup.programs + "/bench_mpi_pingpong";
  auto [native, offload] = measured_alternately(with(mpirun(2), {program}), with(ferry_run(setup, 1, 1), {program}),
                                                setup.repeat);
  for (const auto& [size, latency] : native["latency"]) {
    add_row(report, "p2p latency", size, latency, offload["latency"][size], "us", size == 8 ? "ratio <= 1.3" : "");
  }
  for (const auto& [size, bandwidth] : native["bandwidth"]) {
    add_row(report, "p2p bandwidth", size, bandwidth, offload["bandwidth"][size], "MB/s",
            size == (1 << 20) ? "ratio >= 0.9" : "");
  }
}

#ifdef FERRY_BENCH_FORTRAN
// The Fortran twin of the ping-pong (`use mpi`, the same sizes, iterations and output)
// against native Open MPI; then the ratio of the 8 B latency through the Fortran binding
// to that through the C one, under plain mpirun (what Open MPI's Fortran bindings cost)
// and under ferry run (what they cost with a function rank). Separate runs differ by more
// than the 5% that ratio is about (where the scheduler puts the two ranks), so both
// bindings are timed in alternating rounds inside the same processes.
void point_to_point_fortran(const Setup& setup, ferry::bench::Report& report) {
  const std::string program = setup.programs + "/bench_mpi_pingpong_fortran";
  auto [native, offload] = measured_alternately(with(mpirun(2), {program}), with(ferry_run(setup, 1, 1), {program}),
                                                setup.repeat);
  for (const auto& [size, latency] : native["latency"]) {
    add_row(report, "Fortran p2p latency", size, latency, offload["latency"][size], "us",
            size == 8 ? "ratio <= 1.5" : "");
  }
  for (const auto& [size, bandwidth] : native["bandwidth"]) {
    add_row(report, "Fortran p2p bandwidth", size, bandwidth, offload["bandwidth"][size], "MB/s",
            size == (1 << 20) ? "ratio >= 0.8" : "");
  }
  const std::string languages = setup.programs + "/bench_mpi_pingpong_languages";
  Results native_languages = run_program(with(mpirun(2), {languages}));
  Results offload_languages = run_program(with(ferry_run(setup, 1, 1), {languages}));
  add_row(report, "Fortran/C p2p latency", 8,
          native_languages["latency-fortran"][8] / native_languages["latency-c"][8],
          offload_languages["latency-fortran"][8] / offload_languages["latency-c"][8], "x", "ferry <= 1.05");
}
#endif

void allreduce(const Setup& setup, ferry::bench::Report& report) {
  const std::string program = setup.programs + "/bench_mpi_allreduce";
  auto [native, offload] = measured_alternately(with(mpirun(4), {program}), with(ferry_run(setup, 2, 2), {program}),
                                                setup.repeat);
  add_row(report, "allreduce 4 ranks", 8, native["allreduce"][8], offload["allreduce"][8], "us", "ratio <= 1.2");
}

void vector(const Setup& setup, ferry::bench::Report& report) {
  const std::string program = setup.programs + "/bench_mpi_vector_pingpong";
  Results native = run_program(with(mpirun(2), {program}));
  Results offload = run_program(with(ferry_run(setup, 1, 1), {program}));
  for (const auto& [size, bandwidth] : native["vector"]) {
    add_row(report, "vector bandwidth", size, bandwidth, offload["vector"][size], "MB/s", "");
  }
}

void communicators(const Setup& setup, ferry::bench::Report& report) {
  const std::string program = setup.programs + "/bench_mpi_comm_split";
  Results native = run_program(with(mpirun(4), {program}));
  Results offload = run_program(with(ferry_run(setup, 2, 2), {program}));
  add_row(report, "Comm_split+free, 4 ranks", -1, native["split"][0], offload["split"][0], "us", "ratio <= 2");
  add_row(report, "Comm_dup+free, 4 ranks", -1, native["dup"][0], offload["dup"][0], "us", "ratio <= 2");
}

void file_write(const Setup& setup, ferry::bench::Report& report) {
  const std::string program = setup.programs + "/bench_mpi_file_write";
  Results native = run_program(with(mpirun(4), {program}));
  Results offload = run_program(with(ferry_run(setup, 2, 2), {program}));
  const long size = 256L << 20;
  add_row(report, "File_write_at_all, 4 ranks", size, native["file_write"][size], offload["file_write"][size],
          "MB/s", "ratio >= 0.8");
}

// MPI_Init with 4 function ranks, and again with Open MPI's point-to-point layer named
// (OMPI_MCA_pml=ob1, on both sides). Left to choose, Open MPI tries its cm layer first and
// probes for the fabrics of its libfabric and PSM transports, which takes ~200 ms of every
// batch rank's MPI_Init on a machine without them (plain mpirun's too); sites set the
// layer in openmpi-mca-params.conf. The second row is what Ferry adds to Open MPI's own.
void init_time(const Setup& setup, ferry::bench::Report& report) {
  const std::string program = setup.programs + "/bench_mpi_init_time";
  auto [native, offload] = measured_alternately(with(mpirun(5), {program}), with(ferry_run(setup, 1, 4), {program}),
                                                setup.repeat);
  add_row(report, "MPI_Init, 1+4 ranks", -1, native["init_ms"][5], offload["init_ms"][5], "ms", "ferry < 100 ms");
  const std::vector<std::string> named_layer{"env", "OMPI_MCA_pml=ob1"};
  auto [native_ob1, offload_ob1] = measured_alternately(with(with(named_layer, mpirun(5)), {program}),
                                                        with(with(named_layer, ferry_run(setup, 1, 4)), {program}),
                                                        setup.repeat);
  add_row(report, "MPI_Init, 1+4 ranks, pml ob1", -1, native_ob1["init_ms"][5], offload_ob1["init_ms"][5], "ms",
          "ferry < 100 ms");
}

// MPI_Comm_spawn of 1, 4 and 16 children from a one-rank job, until the intercommunicator
// carries a message: Open MPI's own under mpirun against Ferry's under `ferry run` (the
// children on leased executors of the single-machine default, given enough cores), and
// how many spawn-use-release cycles of one worker each gets through per second.
void spawn_time(const Setup& setup, ferry::bench::Report& report) {
  const std::string program = setup.programs + "/bench_mpi_spawn_time";
  const std::string repeats = std::to_string(setup.repeat);
  ::setenv("FERRY_LOCAL_CORES", "16", 0);
  Results native = run_program(with(mpirun(1), {program, repeats}));
  Results offload = run_program(with(ferry_run(setup, 1, 0), {program, repeats}));
  for (const auto& [count, milliseconds] : native["spawn_ms"]) {
    add_row(report, "MPI_Comm_spawn until usable", count, milliseconds, offload["spawn_ms"][count], "ms",
            count == 4 ? "ferry < 50 ms" : "");
  }
  add_row(report, "spawn-use-release cycles of 1 worker", -1, native["spawn_cycle"][1], offload["spawn_cycle"][1],
          "1/s", "");
}

// One run of 2 batch ranks and 1 function rank: rank 0 puts to rank 1 through a window of
// the two batch ranks (a native communicator: Open MPI's osc component), then to rank 2,
// the function rank, through a window of all three (the shim over UCX).
void one_sided(const Setup& setup, ferry::bench::Report& report) {
  if (!setup.osc.empty()) ::setenv("OMPI_MCA_osc", setup.osc.c_str(), 1);
  Results results = run_program(with(ferry_run(setup, 2, 1), {setup.programs + "/bench_mpi_rma_put"}));
  add_row(report, "Put+flush latency (baseline: batch pair of the same run)", 8, results["latency-native"][8],
          results["latency-world"][8], "us", "ratio <= 1.5");
  add_row(report, "Put+flush bandwidth (baseline: batch pair of the same run)", 1 << 20, results["bandwidth-native"][1 << 20],
          results["bandwidth-world"][1 << 20], "MB/s", "ratio >= 0.8");
}

std::string first_line(const std::string& command) {
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("cannot run: " + command);
  char text[4096] = {};
  const bool read = std::fgets(text, sizeof text, pipe) != nullptr;
  if (::pclose(pipe) != 0 || !read) throw std::runtime_error("failed: " + command);
  std::string line = text;
  line.erase(line.find_last_not_of('\n') + 1);
  return line;
}


// What granting MPI_THREAD_MULTIPLE costs a program that calls MPI from one thread: the
// 8 B message rate between a batch rank and a function rank at MPI_THREAD_SINGLE (the
// baseline) and at MPI_THREAD_MULTIPLE, in alternating runs (medians).
void thread_rate(const Setup& setup, ferry::bench::Report& report) {
  const std::string program = setup.programs + "/bench_mpi_message_rate";
  auto [single, multiple] = measured_alternately(with(ferry_run(setup, 1, 1), {program, "single"}),
                                                 with(ferry_run(setup, 1, 1), {program, "multiple"}), setup.repeat);
  add_row(report, "msg rate, THREAD_MULTIPLE/SINGLE", 8, single["rate-single"][8], multiple["rate-multiple"][8], "M/s",
          "ratio >= 0.95");
}

// The 8 B message rate (windows of nonblocking sends) between two batch ranks of plain
// Open MPI against a batch rank and a function rank, in alternating runs (medians). The
// second row takes Open MPI over UCX (pml ucx) as the baseline: the same transport as
// Ferry's, whose shared-memory sends bound both (Open MPI's own vader is faster here).
void message_rate(const Setup& setup, ferry::bench::Report& report) {
  const std::string program = setup.programs + "/bench_mpi_message_rate";
  auto [plain, offload] = measured_alternately(with(mpirun(2), {program, "single"}),
                                               with(ferry_run(setup, 1, 1), {program, "single"}), setup.repeat);
  add_row(report, "msg rate", 8, plain["rate-single"][8], offload["rate-single"][8], "M/s", "ratio >= 0.8");
  const std::vector<std::string> over_ucx{"env", "OMPI_MCA_pml=ucx", "OMPI_MCA_pml_ucx_tls=any"};
  auto [plain_ucx, offload_again] = measured_alternately(with(with(over_ucx, mpirun(2)), {program, "single"}),
                                                         with(ferry_run(setup, 1, 1), {program, "single"}), setup.repeat);
  add_row(report, "msg rate, baseline pml ucx", 8, plain_ucx["rate-single"][8], offload_again["rate-single"][8], "M/s",
          "");
}

void passthrough(const Setup& setup, ferry::bench::Report& report) {
  const std::string program = setup.programs + "/bench_mpi_compute_comm";
  const std::string shim_path = first_line(quoted(setup.ferry) + " shim-path");
  auto [plain, preloaded] = measured_alternately(
      with(mpirun(2), {program}),
      with(mpirun(2), {"-x", "LD_PRELOAD=" + shim_path, "-x", "FERRY_FUNCTIONS=0", program}), setup.repeat);
  add_row(report, "F=0 pass-through", -1, plain["compute_comm_s"][0], preloaded["compute_comm_s"][0], "s",
          "ratio <= 1.01");
}

}  // namespace

int main(int argc, char** argv) {
  Setup setup;
  std::string csv, only = "all";
  po::options_description description(
      "bench_rank_offload: plain Open MPI (baseline) against ferry run (function ranks), same invocation");
  description.add_options()
      ("case", po::value(&only)->default_value(only),
       "all, p2p, p2p-fortran, vector, allreduce, comm, io, rma, init, rate, thread-rate, spawn or passthrough")
      ("mode", po::value(&setup.mode)->default_value(setup.mode), "FERRY_MODE of the ranks: auto, hot, warm or adaptive")
      ("repeat", po::value(&setup.repeat)->default_value(setup.repeat),
       "runs per side, alternating, of the p2p, allreduce, init, message-rate, pass-through and thread-rate cases (medians)")
      ("ferry", po::value(&setup.ferry)->default_value(setup.ferry), "the ferry executable")
      ("osc", po::value(&setup.osc)->default_value(setup.osc),
       "Open MPI's one-sided component for the rma case's native window: ucx (UCX RMA, like Ferry's), pt2pt, "
       "or empty (Open MPI chooses; its osc/rdma needs the cross-memory attach containers often forbid)")
      ("csv", po::value(&csv), "also write the table as CSV");
  if (!ferry::bench::parse_command_line(argc, argv, description)) return 0;
  if (setup.repeat == 0) {
    std::cerr << "bench_rank_offload: --repeat must be at least 1\n";
    return 2;
  }
  const std::map<std::string, void (*)(const Setup&, ferry::bench::Report&)> cases{
      {"p2p", point_to_point}, {"allreduce", allreduce}, {"init", init_time},   {"passthrough", passthrough},
      {"vector", vector},       {"comm", communicators},       {"io", file_write},
      {"rma", one_sided},       {"thread-rate", thread_rate}, {"spawn", spawn_time},
      {"rate", message_rate},
#ifdef FERRY_BENCH_FORTRAN
      {"p2p-fortran", point_to_point_fortran},
#endif
  };
#ifndef FERRY_BENCH_FORTRAN
  if (only == "p2p-fortran") {
    std::cerr << "bench_rank_offload: --case p2p-fortran needs bench_mpi_pingpong_fortran, which was not built "
                 "(no Fortran MPI compiler)\n";
    return 2;
  }
#endif
  if (only != "all" && cases.count(only) == 0) {
    std::cerr << "bench_rank_offload: unknown --case '" << only << "'\n";
    return 2;
  }
  ferry::bench::Report report({"benchmark", "size", "baseline", "ferry", "unit", "ratio", "target"});
  try {
    for (const auto& [name, measure] : cases) {
      if (only == "all" || only == name) measure(setup, report);
    }
  } catch (const std::exception& error) {
    std::cerr << "bench_rank_offload: " << error.what() << "\n";
    return 1;
  }
  report.print("Rank offload (" + setup.mode + " mode): plain mpirun vs ferry run");
  report.write_csv(csv);
  return 0;
}
