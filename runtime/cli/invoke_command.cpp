#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>

#include "runtime/cli/options.hpp"
#include "runtime/client/client.hpp"

namespace ferry::cli {

namespace {
struct InvokeSettings {
  ClientOptions client;
  LeaseSpec lease;
  ExecutorSpec executor;
  std::string input;
  size_t output_capacity = 1 << 20;
  unsigned repeat = 1;
  bool quiet = false;
};

bool parse_invoke_settings(const Arguments& args, InvokeSettings& settings) {
  std::string manager, spawner, input_file, mode = "auto", executor_mode = "auto";
  std::string function;
  unsigned duration_s = 60;
  po::options_description options(
      "ferry invoke: lease cores, ship a shared library to an executor and invoke one of its functions.\n"
      "The function's output is written to stdout; a summary goes to stderr.\n"
      "With neither --manager nor --spawner, a manager and a spawner are started in this process");
  options.add_options()
      ("library", po::value(&settings.executor.library)->required(), "shared library with the function")
      ("function", po::value(&function)->required(),
       "exported name: extern \"C\" int64_t f(const void* in, size_t in_size, void* out, size_t out_cap)")
      ("input", po::value(&settings.input), "input bytes, as text")
      ("input-file", po::value(&input_file), "read the input from this file instead")
      ("output-capacity", po::value(&settings.output_capacity)->default_value(settings.output_capacity), "bytes the function may write")
      ("repeat", po::value(&settings.repeat)->default_value(1), "invoke this many times and report the round-trip times")
      ("manager", po::value(&manager), "manager to lease from, host:port")
      ("spawner", po::value(&spawner), "stand-alone spawner to lease from, host:port")
      ("cores", po::value(&settings.lease.cores)->default_value(1), "cores to lease (one executor thread each)")
      ("memory", po::value(&settings.lease.memory_mib)->default_value(512), "MiB to lease (0: a fair share of the spawner's)")
      ("duration", po::value(&duration_s)->default_value(duration_s), "lease duration in seconds")
      ("mode", po::value(&executor_mode)->default_value(executor_mode), "how the executor waits: auto, hot, warm or adaptive")
      ("client-mode", po::value(&mode)->default_value(mode), "how this client waits: auto, hot, warm or adaptive")
      ("quiet,q", "print only the function's output");
  po::variables_map values;
  if (!parse_options(args, "ferry invoke --library LIB.so --function NAME [--input TEXT] [options]", options, values)) {
    return false;
  }
  if (!manager.empty()) settings.client.manager = manager;
  if (!spawner.empty()) settings.client.spawners = {spawner};
  settings.client.mode = ucx::parse_wait_mode(mode);
  settings.executor.mode = ucx::parse_wait_mode(executor_mode);
  settings.executor.functions = {function};
  settings.lease.duration = std::chrono::seconds(duration_s);
  settings.quiet = values.count("quiet") != 0;
  if (settings.repeat == 0) throw Error(Errc::invalid_argument, "--repeat must be at least 1");
  if (!input_file.empty()) {
    std::ifstream file(input_file, std::ios::binary);
    if (!file) throw Error(Errc::not_found, "cannot read input file '" + input_file + "'");
    settings.input.assign(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
  }
  return true;
}

double microseconds(Clock::duration duration) {
  return std::chrono::duration<double, std::micro>(duration).count();
}

void print_summary(const Lease& lease, const Executor& executor, std::vector<Clock::duration>& round_trips) {
  std::sort(round_trips.begin(), round_trips.end());
  std::fprintf(stderr, "ferry: lease %llu on %s, executor pid %d with %zu thread(s); start-up: spawn %.1f ms, connect %.1f ms\n",
               static_cast<unsigned long long>(lease.id()), lease.spawner_address().c_str(), executor.pid(),
               executor.threads(), microseconds(executor.startup().spawn) / 1000.0,
               microseconds(executor.startup().connect) / 1000.0);
  std::fprintf(stderr, "ferry: %zu invocation(s), round trip min %.1f us, median %.1f us, max %.1f us\n",
               round_trips.size(), microseconds(round_trips.front()), microseconds(round_trips[round_trips.size() / 2]),
               microseconds(round_trips.back()));
}
}  // namespace

int run_invoke_command(const Arguments& args) {
  InvokeSettings settings;
  if (!parse_invoke_settings(args, settings)) return 0;
  auto client = Client::create(settings.client);
  Lease lease = client->lease(settings.lease);
  Executor executor = client->allocate(lease, settings.executor);
  std::vector<std::byte> output(settings.output_capacity);
  const auto input = std::as_bytes(std::span(settings.input));
  std::vector<Clock::duration> round_trips;
  int64_t written = 0;
  for (unsigned i = 0; i < settings.repeat; ++i) {
    const auto started = Clock::now();
    written = executor.invoke(0, input, output);
    round_trips.push_back(Clock::now() - started);
  }
  std::fwrite(output.data(), 1, static_cast<size_t>(written), stdout);
  std::fflush(stdout);
  if (!settings.quiet) print_summary(lease, executor, round_trips);
  return 0;
}

}  // namespace ferry::cli
