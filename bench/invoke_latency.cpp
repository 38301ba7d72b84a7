// Round trip of an invocation against a raw UCX tag ping-pong on the same transport,
// measured in the same run, for payloads from 8 B to 1 MiB, hot and warm.
#include <boost/program_options.hpp>

#include <cstdio>
#include <iostream>
#include <map>

#include "bench/raw_ucx_pingpong.hpp"
#include "bench/report.hpp"
#include "runtime/client/client.hpp"
#include "runtime/common/log.hpp"

namespace po = boost::program_options;
using namespace ferry;

namespace {
struct Options {
  std::vector<std::string> modes{"hot", "warm"};
  std::vector<size_t> sizes{8, 64, 512, 4096, 32768, 262144, 1048576};
  size_t iterations = 2000;
  std::string csv;
};

Options parse(int argc, char** argv) {
  Options options;
  po::options_description description("bench_invoke_latency: invocation round trip vs raw UCX ping-pong");
  description.add_options()("modes", po::value(&options.modes)->multitoken(), "waiting modes (hot warm adaptive)")
      ("sizes", po::value(&options.sizes)->multitoken(), "payload sizes in bytes")
      ("iterations", po::value(&options.iterations)->default_value(options.iterations), "round trips per size (fewer above 64 KiB)")
      ("csv", po::value(&options.csv), "also write the table as CSV");
  if (!bench::parse_command_line(argc, argv, description)) std::exit(0);
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
  bench::Report report({"mode", "bytes", "raw_ucx_us", "ferry_us", "ratio", "raw_MBps", "ferry_MBps", "bw_ratio"});
  for (const auto& mode_name : options.modes) {
    const auto mode = ucx::parse_wait_mode(mode_name);
    ClientOptions client_options;
    client_options.mode = mode;
    auto client = Client::create(client_options);
    Lease lease = client->lease({.cores = 1});
    Executor executor = client->allocate(lease, {.library = FERRY_BENCH_FUNCTIONS, .functions = {"echo"}, .mode = mode});
    for (const size_t size : options.sizes) {
      const size_t iterations = iterations_for(size, options.iterations);
      auto raw = baselines[mode_name]->measure(size, iterations);
      auto ferry = measure_ferry(executor, size, iterations);
      const double raw_us = bench::median_us(raw);
      const double ferry_us = bench::median_us(ferry);
      const double raw_bw = megabytes_per_second(size, raw_us);
      const double ferry_bw = megabytes_per_second(size, ferry_us);
      report.add({mode_name, std::to_string(size), bench::fixed(raw_us), bench::fixed(ferry_us),
                  bench::fixed(ferry_us / raw_us), bench::fixed(raw_bw, 1), bench::fixed(ferry_bw, 1),
                  bench::fixed(ferry_bw / raw_bw)});
    }
  }
  report.print("Invocation round trip (median) vs raw UCX tag ping-pong; ratio = ferry / raw (target <= 1.3 at 8 B hot), "
               "bw_ratio = ferry / raw bandwidth (target >= 0.8 at 1 MiB)");
  report.write_csv(options.csv);
  return 0;
}
