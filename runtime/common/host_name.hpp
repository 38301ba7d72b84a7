#pragma once
// The name of the node this process runs on, as `hostname` prints it.

#include <string>

namespace ferry {

std::string host_name();

}  // namespace ferry
