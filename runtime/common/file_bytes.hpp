#pragma once
// Reading a whole file.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace ferry {

/// The content of the file at `path`; none when it cannot be opened or read.
std::optional<std::vector<std::byte>> read_file_bytes(const std::string& path);

}  // namespace ferry
