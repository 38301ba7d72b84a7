#pragma once
// This process's environment, read without holding on to getenv's pointers.

#include <optional>
#include <string>
#include <vector>

namespace ferry {

/// The value of environment variable `name`; nothing when it is unset or empty.
std::optional<std::string> environment_variable(const char* name);

/// Every NAME=value entry of the environment, in its order.
std::vector<std::string> environment_entries();

}  // namespace ferry
