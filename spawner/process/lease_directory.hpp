#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "spawner/process/process_spec.hpp"

namespace ferry::spawner {

/// Creates (or keeps) `<root>/lease-<lease_id>`, private (mode 0700) to `owner` or, with
/// none, to the spawner's user, creating `root` too when missing; returns its path.
/// Throws Errc::system when it cannot, or when the path exists and is not a directory.
std::string make_lease_directory(const std::string& root, uint64_t lease_id,
                                 const std::optional<ProcessIdentity>& owner = std::nullopt);
/// `<root>/lease-<lease_id>`, whether it exists or not.
std::string lease_directory_path(const std::string& root, uint64_t lease_id);

/// Removes every `<root>/lease-<id>` directory: what a spawner that died left behind (its
/// executors died with it). Returns how many there were; errors are skipped.
size_t remove_stale_lease_directories(const std::string& root);

/// Removes `path` and everything under it, without following symbolic links.
/// A missing path is not an error.
void remove_tree(const std::string& path);

}  // namespace ferry::spawner
