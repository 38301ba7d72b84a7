#pragma once

#include <vector>

namespace ferry {

/// The CPUs this process may run on (sched_getaffinity); empty if that cannot be read.
std::vector<int> allowed_cpus();

/// Pins every thread this process has now (and so every thread they start later) to
/// `cpus`; throws Error(system) when it cannot.
void pin_every_thread(const std::vector<int>& cpus);

}  // namespace ferry
