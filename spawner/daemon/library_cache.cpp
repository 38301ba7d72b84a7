#include "spawner/daemon/library_cache.hpp"

#include <fcntl.h>
#include <sys/mman.h>

#include "runtime/common/error.hpp"
#include "runtime/common/sha256.hpp"

namespace ferry::spawner {

int LibraryCache::find(const std::string& key) const {
  const auto found = libraries_.find(key);
  return found == libraries_.end() ? -1 : found->second.get();
}

int LibraryCache::store(const std::string& key, const std::string& hash, std::span<const std::byte> library) {
  if (sha256_hex(library) != hash) {
    throw Error(Errc::protocol, "shipped content does not match its hash " + hash);
  }
  UniqueFd fd(::memfd_create("ferry-library", MFD_CLOEXEC | MFD_ALLOW_SEALING));
  if (!fd) throw_system_error("memfd_create");
  size_t written = 0;
  while (written < library.size()) {
    const ssize_t n = ::write(fd.get(), library.data() + written, library.size() - written);
    if (n < 0) throw_system_error("writing shipped content into its memfd");
    written += static_cast<size_t>(n);
  }
  ::fcntl(fd.get(), F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL);
  const int raw = fd.get();
  libraries_[key] = std::move(fd);
  return raw;
}

}  // namespace ferry::spawner
