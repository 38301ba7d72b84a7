#include "runtime/cli/doctor_slurm.hpp"

#include <dlfcn.h>
#include <glob.h>
#include <sys/wait.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "runtime/cli/doctor_report.hpp"
#include "runtime/common/executable_path.hpp"

namespace ferry::cli {
namespace {
namespace fs = std::filesystem;

constexpr std::string_view slurm_fix = "only on a Slurm cluster: apt-get install slurm-client munge";
constexpr std::string_view controller_fix =
    "check SlurmctldHost in slurm.conf (or SLURM_CONF) and that slurmctld runs: scontrol ping";
constexpr std::string_view munge_fix = "start munged with the cluster's key: systemctl start munge";
constexpr std::string_view pmix_fix = "apt-get install slurm-wlm-basic-plugins libpmix2 (srun's mpi/pmix)";
constexpr const char* plugin_name = "ferry_spank.so";

struct CommandResult {
  int status = -1;
  std::string output;  ///< stdout and stderr together
  std::string first_line() const { return output.substr(0, output.find('\n')); }
};

/// `text` as one shell word.
std::string quoted(const std::string& text) {
  std::string word = "'";
  for (const char c : text) word += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return word + "'";
}

/// Runs a shell command line, bounded at 5 s (a controller that does not answer).
CommandResult run_shell(const std::string& command) {
  CommandResult result;
  FILE* pipe = ::popen(("timeout 5 sh -c " + quoted(command) + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[4096];
  for (size_t got; (got = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) result.output.append(buffer, got);
  const int status = ::pclose(pipe);
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

bool slurm_installed() { return !find_in_path("srun").empty() && !find_in_path("sinfo").empty(); }

fs::path slurm_conf_path() {
  const char* named = std::getenv("SLURM_CONF");
  return named != nullptr && *named != '\0' ? fs::path(named) : fs::path("/etc/slurm/slurm.conf");
}

/// The value of `key` (case-insensitive, as Slurm reads it) in slurm.conf; none when unset.
std::optional<std::string> slurm_setting(std::string_view key) {
  std::ifstream conf(slurm_conf_path());
  std::string line;
  while (std::getline(conf, line)) {
    const size_t equals = line.find('=');
    if (line.starts_with('#') || equals != key.size()) continue;
    bool same = true;
    for (size_t i = 0; i < key.size(); ++i) same = same && std::tolower(line[i]) == std::tolower(key[i]);
    if (same) return line.substr(equals + 1, line.find_first_of(" \t#", equals + 1) - equals - 1);
  }
  return std::nullopt;
}

/// The munge socket of AuthInfo's "socket=PATH" item, if slurm.conf gives one.
std::string munge_socket() {
  const std::string info = slurm_setting("AuthInfo").value_or("");
  std::stringstream items(info);
  std::string item;
  while (std::getline(items, item, ',')) {
    if (item.starts_with("socket=")) return item.substr(7);
  }
  return {};
}

fs::path plugstack_path() {
  if (auto named = slurm_setting("PlugStackConfig")) return *named;
  return slurm_conf_path().parent_path() / "plugstack.conf";
}

/// The path of ferry_spank.so in a plugstack.conf (following its `include` globs), if listed.
std::optional<std::string> listed_plugin(const fs::path& plugstack, int depth = 0) {
  std::ifstream file(plugstack);
  std::string line;
  while (std::getline(file, line)) {
    std::stringstream words(line);
    std::string kind, path;
    if (!(words >> kind >> path) || kind.starts_with('#')) continue;
    if ((kind == "required" || kind == "optional") && fs::path(path).filename() == plugin_name) return path;
    if (kind != "include" || depth > 4) continue;
    glob_t matches{};
    if (::glob(path.c_str(), 0, nullptr, &matches) == 0) {
      for (size_t i = 0; i < matches.gl_pathc; ++i) {
        if (auto found = listed_plugin(matches.gl_pathv[i], depth + 1)) {
          ::globfree(&matches);
          return found;
        }
      }
    }
    ::globfree(&matches);
  }
  return std::nullopt;
}

}  // namespace

void check_slurm(Report& report) {
  if (!slurm_installed()) {
    report.info("slurm", "Slurm is not installed (no srun/sinfo on PATH): ferry run uses mpirun here");
    return;
  }
  const CommandResult nodes = run_shell("sinfo -h -o '%D %t'");
  if (nodes.status != 0) {
    std::string reason = nodes.first_line();
    if (reason.starts_with("sinfo: error: ")) reason.erase(0, 14);
    report.warn("slurm", "sinfo cannot reach a controller with " + slurm_conf_path().string() + ": " + reason,
                controller_fix);
    return;
  }
  std::string version = run_shell("sinfo --version").first_line();
  if (!version.starts_with("slurm")) version = "Slurm";
  std::stringstream lines(nodes.output);
  int total = 0, idle = 0, count = 0;
  std::string state;
  while (lines >> count >> state) {
    total += count;
    if (state == "idle") idle += count;
  }
  report.ok("slurm", version + ", controller reached: " + std::to_string(total) + " node(s), " +
                         std::to_string(idle) + " idle (" + slurm_conf_path().string() + ")");
}

void check_munge(Report& report) {
  if (find_in_path("munge").empty() || find_in_path("unmunge").empty()) {
    if (slurm_installed()) report.warn("munge", "munge is not installed: Slurm cannot authenticate", slurm_fix);
    else report.info("munge", "munge is not installed");
    return;
  }
  const std::string socket = munge_socket();
  const std::string option = socket.empty() ? "" : " -S " + quoted(socket);
  const CommandResult result = run_shell("munge -n" + option + " | unmunge" + option);
  const std::string where = socket.empty() ? "munged's default socket" : "socket " + socket + " (slurm.conf AuthInfo)";
  if (result.status == 0) {
    report.ok("munge", "munge -n | unmunge works through " + where);
  } else {
    report.warn("munge", "munge -n | unmunge fails through " + where + ": " + result.first_line(), munge_fix);
  }
}

void check_pmix(Report& report) {
  if (!slurm_installed()) return;
  const CommandResult result = run_shell("srun --mpi=list");
  if (result.status != 0) {
    report.warn("pmix", "srun --mpi=list fails: " + result.first_line(), controller_fix);
    return;
  }
  if (result.output.find("pmix") != std::string::npos) {
    report.ok("pmix", "srun --mpi=pmix is available: Open MPI's batch ranks wire up through it");
    return;
  }
  if (void* library = ::dlopen("libpmix.so.2", RTLD_LAZY | RTLD_LOCAL)) {
    ::dlclose(library);
    report.warn("pmix", "libpmix.so.2 is installed, but srun --mpi=list has no pmix", pmix_fix);
  } else {
    report.warn("pmix", "srun --mpi=list has no pmix and libpmix.so.2 is missing: Open MPI under srun cannot wire up",
                pmix_fix);
  }
}

void check_spank_plugin(Report& report) {
  if (!slurm_installed()) return;
  const fs::path plugstack = plugstack_path();
  const std::optional<std::string> plugin = listed_plugin(plugstack);
  const std::string add = "add `required " FERRY_SPANK_INSTALL_PATH "` to " + plugstack.string();
  if (!plugin) {
    report.warn("spank", std::string(plugin_name) + " is not in " + plugstack.string() +
                             ": srun has no --ferry-functions (ferry run --launcher srun works without it)", add);
    return;
  }
  std::error_code ignored;
  if (!fs::exists(*plugin, ignored)) {
    report.warn("spank", plugstack.string() + " lists " + *plugin + ", which does not exist", add);
    return;
  }
  const CommandResult help = run_shell("srun --help");
  if (help.output.find("--ferry-functions") == std::string::npos) {
    report.warn("spank", plugstack.string() + " lists " + *plugin + ", but srun --help shows no --ferry-functions: " +
                             help.first_line(), "look for `spank` errors in srun's and slurmd's logs");
    return;
  }
  report.ok("spank", *plugin + " is loaded (" + plugstack.string() + "): srun --ferry-functions=F");
}

}  // namespace ferry::cli
