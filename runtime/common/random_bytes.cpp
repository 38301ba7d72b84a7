#include "runtime/common/random_bytes.hpp"

#include <sys/random.h>

#include <cerrno>

#include "runtime/common/error.hpp"

namespace ferry {

void fill_random(std::span<std::byte> bytes) {
  size_t filled = 0;
  while (filled < bytes.size()) {
    const ssize_t got = ::getrandom(bytes.data() + filled, bytes.size() - filled, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      throw_system_error("getrandom");
    }
    filled += static_cast<size_t>(got);
  }
}

}  // namespace ferry
