// Round trip of an invocation against a raw UCX tag ping-pong on the same transport,
// measured in the same run, for payloads from 8 B to 1 MiB, hot and warm. Both run from
// the same CPU to a peer pinned on the same other CPU, and repetitions interleave them
// with only one alive at a time: an executor is allocated for Ferry's half and closed
// before the baseline's (a hot executor spins even when idle), and the baseline's echo
// process sleeps during Ferry's half. Each figure is the min / median / max of the
// repetitions' medians, and the ratio the median of each repetition's own ratio: on this
// kind of VM the speed of the same ping-pong changes 2-3x from one second to the next.
#include <boost/program_options.hpp>
#include <pthread.h>
#include <sched.h>

#include <cstdio>
#include <iostream>
#include <map>
#include <thread>

#include "bench/raw_ucx_pingpong.hpp"
#include "bench/report.hpp"
#include "runtime/client/client.hpp"
#include "runtime/common/cpus.hpp"
#include "runtime/common/log.hpp"

namespace po = boost::program_options;
using namespace ferry;

namespace {
struct Options {
  std::vector<std::string> modes{"hot", "warm"};
  std::vector<size_t> sizes{8, 64, 512, 4096, 32768, 262144, 1048576};
  size_t iterations = 2000;
  unsigned repeat = 5;
  std::string csv;
};

Options parse(int argc, char** argv) {
  Options options;
  po::options_description description("bench_invoke_latency: invocation round trip vs raw UCX ping-pong");
  description.add_options()("modes", po::value(&options.modes)->multitoken(), "waiting modes (hot warm adaptive)")
      ("sizes", po::value(&options.sizes)->multitoken(), "payload sizes in bytes")
      ("iterations", po::value(&options.iterations)->default_value(options.iterations), "round trips per size and repetition (fewer above 64 KiB)")
      ("repeat", po::value(&options.repeat)->default_value(options.repeat), "interleaved repetitions")
      ("csv", po::value(&options.csv), "also write the table as CSV");
  if (!bench::parse_command_line(argc, argv, description)) std::exit(0);
  if (options.repeat == 0 || options.iterations == 0 || options.sizes.empty()) {
    std::cerr << "bench_invoke_latency: --repeat, --iterations and --sizes must not be zero or empty\n";
    std::exit(2);
  }
  return options;
}

size_t iterations_for(size_t size, size_t iterations) { return size > 65536 ? std::max<size_t>(iterations / 10, 50) : iterations; }

std::vector<std::chrono::nanoseconds> measure_ferry(Executor& executor, size_t size, size_t iterations) {
  std::vector<std::byte> input(size, std::byte{0x5a});
  std::vector<std::byte> output(size);
  for (size_t i = 0; i < iterations / 10 + 1; ++i) executor.invoke(0, input, output);
  std::vector<std::chrono::nanoseconds> samples;
  samples.reserve(iterations);
  for (size_t i = 0; i < iterations; ++i) {
    const auto started = Clock::now();
    executor.invoke(0, input, output);
    samples.push_back(Clock::now() - started);
  }
  return samples;
}

double megabytes_per_second(size_t size, double round_trip_us) { return 2.0 * static_cast<double>(size) / round_trip_us; }

/// Pins the calling thread to the first CPU it may use for its lifetime (when it may use
/// two or more).
class PinnedThread {
 public:
  PinnedThread() {
    ::pthread_getaffinity_np(::pthread_self(), sizeof before_, &before_);
    const std::vector<int> cpus = allowed_cpus();
    if (cpus.size() < 2) return;
    cpu_set_t first;
    CPU_ZERO(&first);
    CPU_SET(cpus.front(), &first);
    pinned_ = ::pthread_setaffinity_np(::pthread_self(), sizeof first, &first) == 0;
  }
  PinnedThread(const PinnedThread&) = delete;
  PinnedThread& operator=(const PinnedThread&) = delete;
  ~PinnedThread() {
    if (pinned_) ::pthread_setaffinity_np(::pthread_self(), sizeof before_, &before_);
  }

 private:
  cpu_set_t before_{};
  bool pinned_ = false;
};

/// Long enough for a closed executor's threads to have stopped spinning.
constexpr std::chrono::milliseconds closed_executor_grace{100};
}  // namespace

int main(int argc, char** argv) {
  log::init("bench");
  const Options options = parse(argc, argv);
  const size_t max_size = *std::max_element(options.sizes.begin(), options.sizes.end());
  // The baselines fork before this process starts any other UCX work.
  std::map<std::string, std::unique_ptr<bench::RawPingPong>> baselines;
  for (const auto& mode : options.modes) {
    baselines[mode] = std::make_unique<bench::RawPingPong>(ucx::parse_wait_mode(mode), max_size);
  }
  bench::Report report({"mode", "bytes", "raw_us", "raw_min", "raw_max", "ferry_us", "ferry_min", "ferry_max", "ratio",
                        "ratio_min", "ratio_max", "raw_MBps", "ferry_MBps", "bw_ratio"});
  for (const auto& mode_name : options.modes) {
    const auto mode = ucx::parse_wait_mode(mode_name);
    ClientOptions client_options;
    client_options.mode = mode;
    auto client = Client::create(client_options);
    Lease lease = client->lease({.cores = 1});
    // Both halves from the same CPU: the client's and the baseline's pinging thread here,
    // the executor and the echo process on the last CPU.
    const PinnedThread pinned;
    std::map<size_t, std::vector<double>> raw, ferry, ratios;
    for (unsigned repetition = 0; repetition < options.repeat; ++repetition) {
      {
        Executor executor =
            client->allocate(lease, {.library = FERRY_BENCH_FUNCTIONS, .functions = {"echo"}, .mode = mode});
        for (const size_t size : options.sizes) {
          auto samples = measure_ferry(executor, size, iterations_for(size, options.iterations));
          ferry[size].push_back(bench::median_us(samples));
        }
      }
      std::this_thread::sleep_for(closed_executor_grace);
      for (const size_t size : options.sizes) {
        auto samples = baselines[mode_name]->measure(size, iterations_for(size, options.iterations));
        raw[size].push_back(bench::median_us(samples));
        ratios[size].push_back(ferry[size].back() / raw[size].back());
      }
    }
    for (const size_t size : options.sizes) {
      const bench::Spread raw_us = bench::spread(raw[size]);
      const bench::Spread ferry_us = bench::spread(ferry[size]);
      const bench::Spread ratio = bench::spread(ratios[size]);
      const double raw_bw = megabytes_per_second(size, raw_us.median);
      const double ferry_bw = megabytes_per_second(size, ferry_us.median);
      report.add({mode_name, std::to_string(size), bench::fixed(raw_us.median), bench::fixed(raw_us.min),
                  bench::fixed(raw_us.max), bench::fixed(ferry_us.median), bench::fixed(ferry_us.min),
                  bench::fixed(ferry_us.max), bench::fixed(ratio.median), bench::fixed(ratio.min),
                  bench::fixed(ratio.max), bench::fixed(raw_bw, 1), bench::fixed(ferry_bw, 1),
                  bench::fixed(1.0 / ratio.median)});
    }
  }
  report.print("Invocation round trip: median (min, max) of " + std::to_string(options.repeat) +
               " interleaved repetitions' medians, Ferry against a raw UCX tag ping-pong; ratio = the median of the "
               "repetitions' ferry / raw (target <= 1.3 at 8 B hot), bw_ratio = 1 / ratio (target >= 0.9 at 1 MiB)");
  report.write_csv(options.csv);
  return 0;
}
