#pragma once
// Statistics and output shared by the benchmarks: a table on stdout, CSV on request.

#include <boost/program_options.hpp>

#include <chrono>
#include <string>
#include <vector>

namespace ferry::bench {

/// Median of durations in microseconds (sorts its argument).
double median_us(std::vector<std::chrono::nanoseconds>& samples);
double percentile_us(std::vector<std::chrono::nanoseconds>& samples, double fraction);

/// The smallest, middle and largest of a set of figures (repetitions' medians, say).
struct Spread {
  double min = 0, median = 0, max = 0;
};
/// Throws std::invalid_argument for an empty set.
Spread spread(std::vector<double> values);

/// Rows of named columns, printed aligned and optionally written as CSV.
class Report {
 public:
  explicit Report(std::vector<std::string> columns) : columns_(std::move(columns)) {}
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  void print(const std::string& title) const;
  /// Writes the CSV when `path` is not empty.
  void write_csv(const std::string& path) const;

 private:
  std::vector<std::string> columns_;
  std::vector<std::vector<std::string>> rows_;
};

/// Parses a benchmark's command line (adding --help); false after printing the help.
bool parse_command_line(int argc, char** argv, boost::program_options::options_description& description);

/// Fixed-precision text of a number.
std::string fixed(double value, int decimals = 2);

}  // namespace ferry::bench
