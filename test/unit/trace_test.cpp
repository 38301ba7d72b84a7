#include "runtime/common/trace.hpp"

#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

using ferry::trace::Event;
using ferry::trace::format_line;
using ferry::trace::format_timeline;
using ferry::trace::parse_line;

TEST_CASE("a trace line reads back as the event it was written from", "[unit][trace]") {
  const Event event{1'700'000'000'123'456, "rank 2 (function)", "waits hot (chosen: 1.00 busy on 2 CPUs)"};
  const std::string line = format_line(event);
  CHECK(line.back() == '\n');
  CHECK(parse_line(line) == event);
  CHECK(parse_line(line.substr(0, line.size() - 1)) == event);
}

TEST_CASE("malformed trace lines are skipped", "[unit][trace]") {
  for (const char* line : {"", "\n", "12", "12\trank 0", "x12\trank 0\tphase", "12\t\tphase", "12\trank 0\t",
                           "\trank 0\tphase", "99999999999999999999999\trank 0\tphase"}) {
    INFO(line);
    CHECK_FALSE(parse_line(line));
  }
}

TEST_CASE("the timeline is in time order, relative to the origin, with each process's steps", "[unit][trace]") {
  const std::string timeline = format_timeline(
      {{1'004'500, "rank 0 (batch)", "MPI_Init entered"},
       {1'000'000, "ferry run", "started"},
       {1'012'250, "rank 0 (batch)", "MPI_Init returned"},
       {1'003'000, "ferry run", "launcher started"}},
      1'000'000);
  const auto at = [&](const std::string& text) { return timeline.find(text); };
  REQUIRE(at("started") != std::string::npos);
  CHECK(at("started") < at("launcher started"));
  CHECK(at("launcher started") < at("MPI_Init entered"));
  CHECK(at("MPI_Init entered") < at("MPI_Init returned"));
  CHECK(timeline.find("       0.000  (+   0.000)  ferry run       started") != std::string::npos);
  CHECK(timeline.find("       3.000  (+   3.000)  ferry run       launcher started") != std::string::npos);
  CHECK(timeline.find("      12.250  (+   7.750)  rank 0 (batch)  MPI_Init returned") != std::string::npos);
}

TEST_CASE("trace files in a directory are read whole, other files left alone", "[unit][trace]") {
  const auto directory = std::filesystem::temp_directory_path() / ("ferry-trace-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(directory);
  std::ofstream(directory / "10.trace") << format_line({5, "a", "one"}) << "garbage\n" << format_line({7, "a", "two"});
  std::ofstream(directory / "11.trace") << format_line({6, "b", "three"});
  std::ofstream(directory / "rank0.json") << format_line({1, "c", "not a trace"});
  auto events = ferry::trace::read_directory(directory.string());
  std::filesystem::remove_all(directory);
  std::sort(events.begin(), events.end(), [](const Event& a, const Event& b) { return a.at_us < b.at_us; });
  REQUIRE(events.size() == 3);
  CHECK(events[0] == Event{5, "a", "one"});
  CHECK(events[1] == Event{6, "b", "three"});
  CHECK(events[2] == Event{7, "a", "two"});
}
