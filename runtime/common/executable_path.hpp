#pragma once
// Locating Ferry's helper executables (ferry-worker, ...) and tools on $PATH.

#include <string>

namespace ferry {

/// Finds the executable `name` (a plain file name) next to the running executable,
/// then at ../../spawner/<name> relative to it (the build layout), then on $PATH.
/// Returns its path, or an empty string when it is found nowhere.
std::string find_sibling_executable(const std::string& name);

/// Finds the executable `name` (a plain file name) on $PATH; empty when not found.
std::string find_in_path(const std::string& name);

}  // namespace ferry
