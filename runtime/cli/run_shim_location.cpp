#include "runtime/cli/run_shim_location.hpp"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <system_error>
#include <vector>

#include "runtime/common/error.hpp"

namespace ferry::cli {

namespace {
namespace fs = std::filesystem;

constexpr const char* shim_name = "libferry_mpi.so";

fs::path self_directory() {
  std::error_code error;
  const fs::path self = fs::read_symlink("/proc/self/exe", error);
  return error ? fs::path() : self.parent_path();
}

std::vector<fs::path> candidates() {
  std::vector<fs::path> paths;
  if (const fs::path self = self_directory(); !self.empty()) {
    paths.push_back(self / ".." / "lib" / shim_name);
    paths.push_back(self / ".." / "mpi_shim" / shim_name);
  }
  paths.emplace_back(FERRY_MPI_SHIM_BUILD_PATH);
  paths.emplace_back(FERRY_MPI_SHIM_INSTALL_PATH);
  return paths;
}

bool readable_file(const fs::path& path) {
  std::error_code ignored;
  return fs::is_regular_file(path, ignored) && ::access(path.c_str(), R_OK) == 0;
}
}  // namespace

std::string find_mpi_shim() {
  if (const char* forced = std::getenv("FERRY_MPI_SHIM"); forced != nullptr && *forced != '\0') {
    if (!readable_file(forced)) {
      throw Error(Errc::not_found, std::string("FERRY_MPI_SHIM names '") + forced + "', which is not a readable file");
    }
    return fs::absolute(forced).lexically_normal().string();
  }
  std::string looked;
  for (const fs::path& path : candidates()) {
    if (readable_file(path)) return fs::absolute(path).lexically_normal().string();
    looked += (looked.empty() ? "" : ", ") + path.lexically_normal().string();
  }
  throw Error(Errc::not_found, std::string(shim_name) + " was not found (looked at " + looked +
                                   "); build the ferry_mpi target or set FERRY_MPI_SHIM");
}

}  // namespace ferry::cli
