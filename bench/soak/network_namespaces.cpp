#include "bench/soak/network_namespaces.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <stdexcept>

#include "bench/soak/command.hpp"
#include "test/support/daemons.hpp"

namespace ferry::soak {

using namespace std::chrono_literals;

namespace {

/// Runs a command to its end; throws with its output when it fails.
void run(const std::vector<std::string>& argv) {
  test::TempDir dir;
  Command command(argv, dir.file("output"));
  const auto status = command.wait(30s);
  if (!status || !WIFEXITED(*status) || WEXITSTATUS(*status) != 0) {
    std::string line;
    for (const auto& arg : argv) line += arg + " ";
    throw std::runtime_error("`" + line + "` failed: " + command.output());
  }
}

/// Runs a command; false when it fails (for undoing what may not have been done).
bool try_run(const std::vector<std::string>& argv) {
  try {
    run(argv);
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

std::vector<std::string> in(const std::string& space, const std::vector<std::string>& argv) {
  std::vector<std::string> full{"/usr/sbin/ip", "netns", "exec", space};
  full.insert(full.end(), argv.begin(), argv.end());
  return full;
}

}  // namespace

std::optional<std::string> NamespacePair::unavailable() {
  if (::geteuid() != 0) return "not root";
  for (const char* tool : {"/usr/sbin/ip", "/usr/sbin/tc", "/usr/sbin/iptables"}) {
    if (::access(tool, X_OK) != 0) return std::string(tool) + " is missing";
  }
  return std::nullopt;
}

NamespacePair::NamespacePair(const std::string& name)
    : manager_namespace_(name + "m"), spawner_namespace_(name + "s"), manager_link_(name + "m"), spawner_link_(name + "s") {
  run({"/usr/sbin/ip", "netns", "add", manager_namespace_});
  try {
    run({"/usr/sbin/ip", "netns", "add", spawner_namespace_});
    // Made inside the namespaces at once: the veth ends never exist in this one.
    run({"/usr/sbin/ip", "link", "add", manager_link_, "netns", manager_namespace_, "type", "veth", "peer", "name",
         spawner_link_, "netns", spawner_namespace_});
    for (const auto& [space, link, address] :
         {std::tuple{manager_namespace_, manager_link_, manager_address},
          std::tuple{spawner_namespace_, spawner_link_, spawner_address}}) {
      run(in(space, {"/usr/sbin/ip", "link", "set", "lo", "up"}));
      run(in(space, {"/usr/sbin/ip", "addr", "add", std::string(address) + "/24", "dev", link}));
      run(in(space, {"/usr/sbin/ip", "link", "set", link, "up"}));
    }
    // UCX looks for running interfaces once, when a process creates its context: a veth
    // end only runs once both ends are up, a moment after.
    for (const auto& [space, link] : {std::pair{manager_namespace_, manager_link_}, std::pair{spawner_namespace_, spawner_link_}}) {
      const bool running = test::eventually(
          [&] {
            test::TempDir dir;
            Command state(in(space, {"/bin/cat", "/sys/class/net/" + link + "/operstate"}), dir.file("state"));
            return state.wait(10s) == 0 && state.output().rfind("up", 0) == 0;
          },
          10s);
      if (!running) throw std::runtime_error("the veth end " + link + " did not come up");
    }
  } catch (...) {
    try_run({"/usr/sbin/ip", "netns", "del", spawner_namespace_});
    try_run({"/usr/sbin/ip", "netns", "del", manager_namespace_});
    throw;
  }
}

NamespacePair::~NamespacePair() {
  // The veth pair goes with its namespaces.
  if (!try_run({"/usr/sbin/ip", "netns", "del", spawner_namespace_})) {
    std::fprintf(stderr, "ferry-soak: could not remove network namespace %s\n", spawner_namespace_.c_str());
  }
  if (!try_run({"/usr/sbin/ip", "netns", "del", manager_namespace_})) {
    std::fprintf(stderr, "ferry-soak: could not remove network namespace %s\n", manager_namespace_.c_str());
  }
}

std::vector<std::string> NamespacePair::on_manager_side(const std::vector<std::string>& argv) const {
  return in(manager_namespace_, argv);
}

std::vector<std::string> NamespacePair::on_spawner_side(const std::vector<std::string>& argv) const {
  return in(spawner_namespace_, argv);
}

void NamespacePair::slow_down(unsigned kbit) {
  for (const auto& [space, link] : {std::pair{manager_namespace_, manager_link_}, std::pair{spawner_namespace_, spawner_link_}}) {
    run(in(space, {"/usr/sbin/tc", "qdisc", "replace", "dev", link, "root", "tbf", "rate", std::to_string(kbit) + "kbit",
                   "burst", "1600", "latency", "10s"}));
  }
}

void NamespacePair::lose(double probability) {
  for (const char* chain : {"INPUT", "OUTPUT"}) {
    std::vector<std::string> rule{"/usr/sbin/iptables", "-w", "-A", chain, chain == std::string("INPUT") ? "-i" : "-o",
                                  spawner_link_};
    if (probability < 1) {
      char text[32];
      std::snprintf(text, sizeof text, "%.3f", probability);
      rule.insert(rule.end(), {"-m", "statistic", "--mode", "random", "--probability", text});
    }
    rule.insert(rule.end(), {"-j", "DROP"});
    run(in(spawner_namespace_, rule));
  }
}

void NamespacePair::restore() {
  for (const auto& [space, link] : {std::pair{manager_namespace_, manager_link_}, std::pair{spawner_namespace_, spawner_link_}}) {
    try_run(in(space, {"/usr/sbin/tc", "qdisc", "del", "dev", link, "root"}));
  }
  for (const char* chain : {"INPUT", "OUTPUT"}) run(in(spawner_namespace_, {"/usr/sbin/iptables", "-w", "-F", chain}));
}

}  // namespace ferry::soak
