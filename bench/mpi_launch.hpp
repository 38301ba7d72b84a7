#pragma once
// Starting an MPI benchmark under plain mpirun or under `ferry run`, and collecting the
// "NAME SIZE VALUE" (or an application's "result app=...") lines its rank 0 prints.

#include <map>
#include <string>
#include <vector>

namespace ferry::bench {

/// results[name][size] = value, from every line of the form "NAME SIZE VALUE", and
/// results[app][0] = seconds from an application's "result app=APP ... time=SECONDS" line.
using Results = std::map<std::string, std::map<long, double>>;

/// `word` quoted for /bin/sh.
std::string quoted(const std::string& word);
/// Runs `command` (no shell interpretation of its words); throws when it fails.
Results run_program(const std::vector<std::string>& command);
/// `mpirun -np RANKS` with the options this machine needs.
std::vector<std::string> mpirun(unsigned ranks);
/// `FERRY run -n BATCH --functions FUNCTIONS --mode MODE --`.
std::vector<std::string> ferry_run(const std::string& ferry, unsigned batch, unsigned functions,
                                   const std::string& mode);
std::vector<std::string> with(std::vector<std::string> command, const std::vector<std::string>& more);
/// "8 B", "4 KiB", "1 MiB".
std::string size_text(long bytes);

}  // namespace ferry::bench
