#pragma once
// What `ferry run` was asked to do, as parsed from its command line.

#include <optional>
#include <string>
#include <vector>

namespace ferry::cli {

enum class Launcher { mpirun, srun };

struct RunOptions {
  unsigned batch_ranks = 1;
  unsigned function_ranks = 0;
  std::optional<std::string> manager;  ///< host:port; none and no spawners = embedded cluster
  std::vector<std::string> spawners;   ///< host:port of stand-alone spawners
  Launcher launcher = Launcher::mpirun;
  std::string mode = "auto";           ///< auto | hot | warm | adaptive
  bool ship = false;                   ///< ship the program to nodes that lack it
  std::vector<std::string> launcher_args;
  std::vector<std::string> program;    ///< the MPI program and its arguments
};

/// The FERRY_* variables (and the preload list) every batch rank receives.
struct JobEnvironment {
  std::string preload;  ///< LD_PRELOAD value: the shim first, then any user preloads
  std::vector<std::pair<std::string, std::string>> variables;  ///< FERRY_* names and values
};

}  // namespace ferry::cli
