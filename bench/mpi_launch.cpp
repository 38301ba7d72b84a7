#include "bench/mpi_launch.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <stdexcept>

namespace ferry::bench {

std::string quoted(const std::string& word) {
  std::string text = "'";
  for (const char c : word) text += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return text + "'";
}

Results run_program(const std::vector<std::string>& command) {
  std::string line_text;
  for (const auto& word : command) line_text += (line_text.empty() ? "" : " ") + quoted(word);
  FILE* pipe = ::popen(line_text.c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("cannot run: " + line_text);
  Results results;
  char line[512];
  while (std::fgets(line, sizeof line, pipe) != nullptr) {
    std::istringstream fields(line);
    std::string name;
    long size = 0;
    double value = 0;
    if (!(fields >> name)) continue;
    if (name == "result") {
      // An application's "result app=NAME ... time=SECONDS ..." line: results[NAME][0].
      std::string app, word;
      double seconds = -1;
      while (fields >> word) {
        if (word.starts_with("app=")) app = word.substr(4);
        if (word.starts_with("time=")) seconds = std::strtod(word.c_str() + 5, nullptr);
      }
      if (!app.empty() && seconds >= 0) results[app][0] = seconds;
    } else if (fields >> size >> value) {
      results[name][size] = value;
    }
  }
  if (::pclose(pipe) != 0) throw std::runtime_error("failed: " + line_text);
  return results;
}

std::vector<std::string> mpirun(unsigned ranks) {
  std::vector<std::string> command{"mpirun", "-np", std::to_string(ranks)};
  if (::geteuid() == 0) command.emplace_back("--allow-run-as-root");
  command.emplace_back("--oversubscribe");
  return command;
}

std::vector<std::string> ferry_run(const std::string& ferry, unsigned batch, unsigned functions,
                                   const std::string& mode) {
  return {ferry, "run", "-n", std::to_string(batch), "--functions", std::to_string(functions), "--mode", mode, "--"};
}

std::vector<std::string> with(std::vector<std::string> command, const std::vector<std::string>& more) {
  command.insert(command.end(), more.begin(), more.end());
  return command;
}

std::string size_text(long bytes) {
  if (bytes >= (1 << 20)) return std::to_string(bytes >> 20) + " MiB";
  if (bytes >= (1 << 10)) return std::to_string(bytes >> 10) + " KiB";
  return std::to_string(bytes) + " B";
}

}  // namespace ferry::bench
