// The bar chart of `ferry compare`, drawn by gnuplot from a generated script.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "runtime/cli/compare_report.hpp"
#include "runtime/cli/compare_runs.hpp"
#include "runtime/common/error.hpp"

namespace ferry::cli {

namespace {

/// A generated gnuplot script, removed with the object.
class ScriptFile {
 public:
  explicit ScriptFile(const std::string& text) {
    std::string pattern = (std::filesystem::temp_directory_path() / "ferry-compare-XXXXXX.gp").string();
    const int fd = ::mkstemps(pattern.data(), 3);
    if (fd < 0) throw_system_error("mkstemps " + pattern);
    ::close(fd);
    path_ = pattern;
    std::ofstream(path_) << text;
  }
  ScriptFile(const ScriptFile&) = delete;
  ScriptFile& operator=(const ScriptFile&) = delete;
  ~ScriptFile() { ::unlink(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

/// A gnuplot single-quoted string: only a quote needs escaping, by doubling it.
std::string quoted(const std::string& text) {
  std::string result = "'";
  for (const char c : text) result += c == '\'' ? std::string("''") : std::string(1, c);
  return result + "'";
}

std::string two_decimals(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f", value);
  return text;
}

std::string plot_script(const std::string& path, const Comparison& comparison) {
  const auto stats = statistics(comparison);
  double highest = 0;
  for (const Statistics& s : stats) highest = std::max(highest, s.median);
  std::ostringstream script;
  script.precision(6);
  script << "set terminal pngcairo size 1000,560 noenhanced\n"
         << "set output " << quoted(path) << "\n"
         << "set title " << quoted(comparison.program + ": speedup " + two_decimals(speedup(stats)) +
                                   " over plain ranks, efficiency " + two_decimals(efficiency(stats)))
         << "\n"
         << "set ylabel 'median time (s)'\nset style fill solid 0.8 border -1\nset boxwidth 0.6\n"
         << "set grid ytics\nset xrange [-0.5:" << stats.size() - 0.5 << "]\n"
         << "set yrange [0:" << (highest > 0 ? highest * 1.2 : 1.0) << "]\n$medians << EOD\n";
  for (size_t index = 0; index < stats.size(); ++index) {
    script << index << " \"" << comparison.configurations[index].label << "\" " << stats[index].median << "\n";
  }
  script << "EOD\nplot $medians using 1:3:xtic(2) with boxes lc rgb '#3f6fa8' notitle, \\\n"
         << "     $medians using 1:3:(sprintf('%.3g s', $3)) with labels offset 0,1 notitle\n";
  return script.str();
}

}  // namespace

void draw_plot(const std::string& gnuplot, const std::string& path, const Comparison& comparison) {
  if (path.find('\n') != std::string::npos) throw Error(Errc::invalid_argument, "--plot file name contains a newline");
  const ScriptFile script(plot_script(path, comparison));
  const CapturedRun run = run_captured({gnuplot, script.path()});
  if (run.exit_code != 0 || !std::filesystem::exists(path)) {
    throw Error(Errc::system, "gnuplot could not draw '" + path + "' (exit code " + std::to_string(run.exit_code) +
                                  "):\n" + tail_lines(run.err, 20));
  }
}

}  // namespace ferry::cli
