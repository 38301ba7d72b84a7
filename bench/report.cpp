#include "bench/report.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <stdexcept>

#include "runtime/common/error.hpp"

namespace ferry::bench {

double percentile_us(std::vector<std::chrono::nanoseconds>& samples, double fraction) {
  if (samples.empty()) return 0.0;
  std::sort(samples.begin(), samples.end());
  const auto index = static_cast<size_t>(fraction * static_cast<double>(samples.size() - 1));
  return std::chrono::duration<double, std::micro>(samples[index]).count();
}

double median_us(std::vector<std::chrono::nanoseconds>& samples) { return percentile_us(samples, 0.5); }

Spread spread(std::vector<double> values) {
  if (values.empty()) throw std::invalid_argument("no figures to spread");
  std::sort(values.begin(), values.end());
  return {values.front(), values[values.size() / 2], values.back()};
}

bool parse_command_line(int argc, char** argv, boost::program_options::options_description& description) {
  namespace po = boost::program_options;
  description.add_options()("help,h", "show this help");
  po::variables_map values;
  po::store(po::parse_command_line(argc, argv, description), values);
  if (values.count("help") != 0) {
    std::cout << description << "\n";
    return false;
  }
  po::notify(values);
  return true;
}

std::string fixed(double value, int decimals) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

void Report::print(const std::string& title) const {
  std::vector<size_t> widths;
  for (const auto& column : columns_) widths.push_back(column.size());
  for (const auto& row : rows_) {
    for (size_t i = 0; i < row.size() && i < widths.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  std::printf("\n%s\n", title.c_str());
  auto print_row = [&](const std::vector<std::string>& row) {
    for (size_t i = 0; i < row.size(); ++i) std::printf("%*s  ", static_cast<int>(widths[i]), row[i].c_str());
    std::printf("\n");
  };
  print_row(columns_);
  for (const auto& row : rows_) print_row(row);
  std::fflush(stdout);
}

void Report::write_csv(const std::string& path) const {
  if (path.empty()) return;
  std::ofstream file(path);
  if (!file) throw Error(Errc::not_found, "cannot write " + path);
  // RFC 4180: a cell with a comma or a quote is quoted, its quotes doubled.
  auto write_row = [&](const std::vector<std::string>& row) {
    for (size_t i = 0; i < row.size(); ++i) {
      file << (i ? "," : "");
      if (row[i].find_first_of(",\"") == std::string::npos) {
        file << row[i];
        continue;
      }
      file << '"';
      for (const char c : row[i]) file << (c == '"' ? "\"\"" : std::string(1, c));
      file << '"';
    }
    file << "\n";
  };
  write_row(columns_);
  for (const auto& row : rows_) write_row(row);
}

}  // namespace ferry::bench
