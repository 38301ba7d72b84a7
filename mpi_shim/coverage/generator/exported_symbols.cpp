#include "exported_symbols.hpp"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <sstream>
#include <stdexcept>
#include <vector>

extern char** environ;

namespace ferry::mpi::coverage::generator {

namespace {

// Runs `argv` and returns its standard output; throws when it cannot run or exits non-zero.
std::string capture_output(const std::vector<std::string>& arguments) {
  int pipe_ends[2];
  if (pipe(pipe_ends) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_ends[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, pipe_ends[0]);
  std::vector<char*> argv;
  for (const std::string& argument : arguments) argv.push_back(const_cast<char*>(argument.c_str()));
  argv.push_back(nullptr);
  pid_t child = 0;
  const int spawned = posix_spawnp(&child, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(pipe_ends[1]);
  if (spawned != 0) {
    close(pipe_ends[0]);
    throw std::runtime_error("cannot run " + arguments[0] + ": " + std::strerror(spawned));
  }
  std::string output;
  std::array<char, 65536> chunk;
  for (ssize_t got; (got = read(pipe_ends[0], chunk.data(), chunk.size())) != 0;) {
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) break;
    output.append(chunk.data(), size_t(got));
  }
  close(pipe_ends[0]);
  int status = 0;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw std::runtime_error(arguments[0] + " failed on " + arguments.back());
  return output;
}

}  // namespace

std::set<std::string> exported_functions(const std::string& nm, const std::string& library) {
  std::istringstream lines(capture_output({nm, "-D", "--defined-only", library}));
  std::set<std::string> names;
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string address, kind, name;
    if (!(fields >> address >> kind >> name)) continue;
    if (kind == "T" || kind == "W" || kind == "i") names.insert(name);
  }
  if (names.empty()) throw std::runtime_error(library + " exports no functions");
  return names;
}

}  // namespace ferry::mpi::coverage::generator
