#pragma once

#include <vector>

namespace ferry {

/// The CPUs this process may run on (sched_getaffinity); empty if that cannot be read.
std::vector<int> allowed_cpus();

}  // namespace ferry
