// Throughput of parallel invocations against the number of executor threads, for a unit
// of compute per invocation; the baseline is the same work done in this process.
#include <boost/program_options.hpp>

#include <cstring>
#include <deque>
#include <iostream>
#include <thread>

#include "bench/report.hpp"
#include "runtime/client/client.hpp"
#include "runtime/common/log.hpp"

namespace po = boost::program_options;
using namespace ferry;

namespace {
double local_rate(uint32_t work_us, size_t count) {
  const auto started = Clock::now();
  for (size_t i = 0; i < count; ++i) {
    const auto until = Clock::now() + std::chrono::microseconds(work_us);
    while (Clock::now() < until) {
    }
  }
  return static_cast<double>(count) / std::chrono::duration<double>(Clock::now() - started).count();
}

double remote_rate(Executor& executor, uint32_t work_us, size_t count, size_t window) {
  std::vector<std::byte> input(sizeof work_us);
  std::memcpy(input.data(), &work_us, sizeof work_us);
  std::vector<std::byte> output(8);
  std::deque<Future> in_flight;
  const auto started = Clock::now();
  for (size_t i = 0; i < count; ++i) {
    if (in_flight.size() == window) {
      in_flight.front().get();
      in_flight.pop_front();
    }
    in_flight.push_back(executor.invoke_async(0, input, output));
  }
  while (!in_flight.empty()) {
    in_flight.front().get();
    in_flight.pop_front();
  }
  return static_cast<double>(count) / std::chrono::duration<double>(Clock::now() - started).count();
}
}  // namespace

int main(int argc, char** argv) {
  log::init("bench");
  uint32_t work_us = 200;
  size_t count = 2000, window = 32;
  unsigned max_workers = std::max(1U, std::thread::hardware_concurrency());
  std::string csv, mode_name = "warm";
  po::options_description description("bench_throughput: parallel invocations vs executor threads");
  description.add_options()("work-us", po::value(&work_us)->default_value(work_us), "compute per invocation (microseconds)")
      ("count", po::value(&count)->default_value(count), "invocations per measurement")
      ("window", po::value(&window)->default_value(window), "invocations kept in flight")
      ("max-workers", po::value(&max_workers)->default_value(max_workers), "largest number of executor threads")
      ("mode", po::value(&mode_name)->default_value(mode_name), "executor waiting mode")
      ("csv", po::value(&csv), "also write the table as CSV");
  if (!bench::parse_command_line(argc, argv, description)) return 0;

  const double baseline = local_rate(work_us, count / 4);
  ClientOptions client_options;
  client_options.mode = ucx::WaitMode::warm;
  auto client = Client::create(client_options);
  bench::Report report({"workers", "invocations_per_s", "local_per_s", "speedup_vs_local"});
  for (unsigned workers = 1; workers <= max_workers; ++workers) {
    Lease lease = client->lease({.cores = workers});
    Executor executor = client->allocate(
        lease, {.library = FERRY_BENCH_FUNCTIONS, .functions = {"spin_us"}, .mode = ucx::parse_wait_mode(mode_name)});
    const double rate = remote_rate(executor, work_us, count, window);
    report.add({std::to_string(workers), bench::fixed(rate, 0), bench::fixed(baseline, 0), bench::fixed(rate / baseline)});
  }
  report.print("Throughput of " + std::to_string(work_us) + " us invocations, " + std::to_string(window) +
               " in flight; baseline = the same work in this process on one core");
  report.write_csv(csv);
  return 0;
}
