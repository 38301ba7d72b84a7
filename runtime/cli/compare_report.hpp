#pragma once
// The measurements of `ferry compare` and what is made of them: a table of medians,
// the speedup line, a CSV file and a gnuplot bar chart.

#include <ostream>
#include <string>
#include <vector>

namespace ferry::cli {

/// One of the compared ways to run the program.
struct Configuration {
  std::string label;                 ///< e.g. "mpirun -np 2"
  unsigned ranks = 0;                ///< ranks the program must report
  std::vector<std::string> command;  ///< what is run
};

/// One measured run.
struct Sample {
  size_t configuration = 0;  ///< index into Comparison::configurations
  unsigned repeat = 0;       ///< 1-based
  double seconds = 0.0;      ///< the time= the program reported
  std::string check;
};

struct Statistics {
  double median = 0.0;
  double min = 0.0;
  double max = 0.0;
};

/// Everything measured. configurations[0] is plain B ranks, [1] plain B+F, [2] Ferry.
struct Comparison {
  std::string program;  ///< the program's file name, for titles
  std::vector<Configuration> configurations;
  std::vector<Sample> samples;
};

/// Median, min and max time of each configuration, in order.
std::vector<Statistics> statistics(const Comparison& comparison);
/// median(plain B) / median(Ferry); throws Error when the Ferry median is not positive.
double speedup(const std::vector<Statistics>& stats);
/// median(plain B+F) / median(Ferry).
double efficiency(const std::vector<Statistics>& stats);

/// The table of medians, then `speedup S efficiency E` as the last line.
void print_report(std::ostream& out, const Comparison& comparison);
/// One row per run, then median/min/max rows per configuration and the speedup and
/// efficiency rows. Throws Error when the file cannot be written.
void write_csv(const std::string& path, const Comparison& comparison);
/// Draws a PNG bar chart of the medians with `gnuplot`. Throws Error naming the cause
/// when gnuplot is missing or fails.
void draw_plot(const std::string& gnuplot, const std::string& path, const Comparison& comparison);

}  // namespace ferry::cli
