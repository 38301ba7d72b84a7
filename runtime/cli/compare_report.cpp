#include "runtime/cli/compare_report.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>

#include "runtime/common/error.hpp"

namespace ferry::cli {

namespace {

std::string fixed(double value, int decimals) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

std::string padded(const std::string& text, size_t width, bool left) {
  if (text.size() >= width) return text;
  const std::string fill(width - text.size(), ' ');
  return left ? text + fill : fill + text;
}

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (const char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

}  // namespace

std::vector<Statistics> statistics(const Comparison& comparison) {
  std::vector<Statistics> stats;
  for (size_t index = 0; index < comparison.configurations.size(); ++index) {
    std::vector<double> times;
    for (const Sample& sample : comparison.samples) {
      if (sample.configuration == index) times.push_back(sample.seconds);
    }
    if (times.empty()) throw Error(Errc::invalid_argument, "no runs of '" + comparison.configurations[index].label + "'");
    std::sort(times.begin(), times.end());
    const size_t middle = times.size() / 2;
    const double median = times.size() % 2 == 1 ? times[middle] : (times[middle - 1] + times[middle]) / 2;
    stats.push_back({median, times.front(), times.back()});
  }
  return stats;
}

double speedup(const std::vector<Statistics>& stats) {
  if (stats.at(2).median <= 0) throw Error(Errc::invalid_argument, "the Ferry runs' median time is 0 s; no speedup can be computed");
  return stats.at(0).median / stats.at(2).median;
}

double efficiency(const std::vector<Statistics>& stats) {
  if (stats.at(2).median <= 0) throw Error(Errc::invalid_argument, "the Ferry runs' median time is 0 s; no efficiency can be computed");
  return stats.at(1).median / stats.at(2).median;
}

void print_report(std::ostream& out, const Comparison& comparison) {
  const auto stats = statistics(comparison);
  size_t width = std::string("configuration").size();
  for (const auto& configuration : comparison.configurations) width = std::max(width, configuration.label.size());
  out << comparison.program << ": " << comparison.samples.size() / comparison.configurations.size()
      << " runs of each configuration, times in seconds\n";
  out << padded("configuration", width, true) << "  ranks" << "     median" << "        min" << "        max\n";
  for (size_t index = 0; index < stats.size(); ++index) {
    out << padded(comparison.configurations[index].label, width, true) << "  "
        << padded(std::to_string(comparison.configurations[index].ranks), 5, false) << "  "
        << padded(fixed(stats[index].median, 4), 9, false) << "  " << padded(fixed(stats[index].min, 4), 9, false)
        << "  " << padded(fixed(stats[index].max, 4), 9, false) << "\n";
  }
  out << "speedup " << fixed(speedup(stats), 2) << " efficiency " << fixed(efficiency(stats), 2) << std::endl;
}

void write_csv(const std::string& path, const Comparison& comparison) {
  std::ofstream csv(path, std::ios::trunc);
  if (!csv) throw Error(Errc::invalid_argument, "cannot write the CSV file '" + path + "'");
  csv << "row,configuration,ranks,repeat,seconds,check\n";
  for (const Sample& sample : comparison.samples) {
    const Configuration& configuration = comparison.configurations[sample.configuration];
    csv << "run," << csv_field(configuration.label) << ',' << configuration.ranks << ',' << sample.repeat << ','
        << fixed(sample.seconds, 6) << ',' << csv_field(sample.check) << '\n';
  }
  const auto stats = statistics(comparison);
  for (size_t index = 0; index < stats.size(); ++index) {
    const Configuration& configuration = comparison.configurations[index];
    const std::string prefix = csv_field(configuration.label) + ',' + std::to_string(configuration.ranks) + ",,";
    csv << "median," << prefix << fixed(stats[index].median, 6) << ",\n";
    csv << "min," << prefix << fixed(stats[index].min, 6) << ",\n";
    csv << "max," << prefix << fixed(stats[index].max, 6) << ",\n";
  }
  const std::string ferry = csv_field(comparison.configurations[2].label) + ',' +
                            std::to_string(comparison.configurations[2].ranks) + ",,";
  csv << "speedup," << ferry << fixed(speedup(stats), 6) << ",\n";
  csv << "efficiency," << ferry << fixed(efficiency(stats), 6) << ",\n";
  csv.flush();
  if (!csv) throw Error(Errc::system, "writing the CSV file '" + path + "' failed");
}

}  // namespace ferry::cli
