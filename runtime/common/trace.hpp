#pragma once
// FERRY_TRACE=1: a timeline of a job's start-up and shut-down. Each process records the
// phases it reaches, stamped with the wall clock in microseconds (comparable across the
// processes of one node). Under `ferry run` every process appends its phases to a file in
// FERRY_TRACE_DIR and `ferry run` prints them all, in order, relative to its own start
// (FERRY_TRACE_ORIGIN); a process that cannot write there (a function rank on another
// node) or that runs without `ferry run` prints its phases to stderr instead.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ferry::trace {

/// Whether FERRY_TRACE asks for a timeline (set, and neither empty nor "0").
bool enabled() noexcept;
/// Names this process in the timeline ("rank 2 (function)"); "pid N" until it is named.
void set_process_name(std::string name);
/// Records that this process reached `phase` now; nothing when tracing is off.
void phase(std::string_view what) noexcept;

/// Microseconds of the wall clock.
int64_t now_us() noexcept;
/// FERRY_TRACE_ORIGIN, or this process's first trace call when it is not set.
int64_t origin_us() noexcept;

/// The variables that carry tracing to another process (FERRY_TRACE, FERRY_TRACE_ORIGIN,
/// FERRY_TRACE_DIR), as NAME=VALUE; empty when tracing is off.
std::vector<std::string> environment();

struct Event {
  int64_t at_us = 0;
  std::string process;
  std::string phase;
  bool operator==(const Event&) const = default;
};
/// A trace file's line: microseconds, process and phase separated by tabs.
std::string format_line(const Event& event);
std::optional<Event> parse_line(std::string_view line);
/// Every event in the `*.trace` files of `directory` (malformed lines are skipped).
std::vector<Event> read_directory(const std::string& directory);
/// The events in time order, one per line, as milliseconds since `origin_us`, each with
/// the time since the process's previous phase.
std::string format_timeline(std::vector<Event> events, int64_t origin_us);

}  // namespace ferry::trace
