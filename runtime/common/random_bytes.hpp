#pragma once
// Secrets and identifiers from the kernel's random number generator (getrandom(2)). The
// first RAND_bytes of a process costs OpenSSL's generator set-up, 1.5-2.5 ms here, on the
// path of every job's start; the kernel's generator is ready and needs none.

#include <cstddef>
#include <span>

namespace ferry {

/// Fills `bytes` with cryptographically secure random bytes; throws Error(system) when the
/// kernel cannot give them.
void fill_random(std::span<std::byte> bytes);

}  // namespace ferry
