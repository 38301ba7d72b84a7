#include "runtime/common/executable_path.hpp"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string_view>
#include <system_error>

namespace ferry {
namespace {

namespace fs = std::filesystem;

bool is_plain_name(const std::string& name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos;
}

bool is_executable_file(const fs::path& path) {
  std::error_code ignored;
  return fs::is_regular_file(path, ignored) && ::access(path.c_str(), X_OK) == 0;
}

/// Directory of the running executable; empty when /proc is unavailable.
fs::path self_directory() {
  std::error_code error;
  std::string self = fs::read_symlink("/proc/self/exe", error).string();
  if (error) return {};
  // The kernel appends this when the binary was replaced (rebuilt) while running;
  // its directory is still the right place to look.
  constexpr std::string_view deleted = " (deleted)";
  if (self.ends_with(deleted)) self.resize(self.size() - deleted.size());
  return fs::path(self).parent_path();
}

}  // namespace

std::string find_sibling_executable(const std::string& name) {
  if (!is_plain_name(name)) return {};
  const fs::path directory = self_directory();
  if (!directory.empty()) {
    for (const fs::path& candidate : {directory / name, directory / ".." / ".." / "spawner" / name}) {
      if (is_executable_file(candidate)) return candidate.lexically_normal().string();
    }
  }
  return find_in_path(name);
}

std::string find_in_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  if (!is_plain_name(name) || path == nullptr) return {};
  std::string_view rest(path);
  while (true) {
    const size_t colon = rest.find(':');
    const std::string_view directory = rest.substr(0, colon);
    // An empty $PATH entry means the current directory.
    const fs::path candidate = fs::path(directory.empty() ? "." : directory) / name;
    if (is_executable_file(candidate)) return candidate.string();
    if (colon == std::string_view::npos) return {};
    rest.remove_prefix(colon + 1);
  }
}

}  // namespace ferry
