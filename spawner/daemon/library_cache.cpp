#include "spawner/daemon/library_cache.hpp"

#include <fcntl.h>
#include <sys/mman.h>

#include <algorithm>

#include "runtime/common/error.hpp"
#include "runtime/common/sha256.hpp"

namespace ferry::spawner {

int LibraryCache::find(const std::string& key) {
  const auto found = files_.find(key);
  if (found == files_.end()) return -1;
  found->second.last_use = ++uses_;
  return found->second.fd.get();
}

int LibraryCache::store(const std::string& key, const std::string& hash, std::span<const std::byte> content) {
  if (sha256_hex(content) != hash) {
    throw Error(Errc::protocol, "shipped content does not match its hash " + hash);
  }
  UniqueFd fd(::memfd_create("ferry-library", MFD_CLOEXEC | MFD_ALLOW_SEALING));
  if (!fd) throw_system_error("memfd_create");
  size_t written = 0;
  while (written < content.size()) {
    const ssize_t n = ::write(fd.get(), content.data() + written, content.size() - written);
    if (n < 0) throw_system_error("writing shipped content into its memfd");
    written += static_cast<size_t>(n);
  }
  ::fcntl(fd.get(), F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL);
  const int raw = fd.get();
  if (const auto old = files_.find(key); old != files_.end()) bytes_ -= old->second.size;
  files_[key] = File{std::move(fd), content.size(), ++uses_};
  bytes_ += content.size();
  return raw;
}

void LibraryCache::trim() {
  while (bytes_ > capacity_ && !files_.empty()) {
    const auto oldest = std::min_element(files_.begin(), files_.end(), [](const auto& a, const auto& b) {
      return a.second.last_use < b.second.last_use;
    });
    bytes_ -= oldest->second.size;
    files_.erase(oldest);
  }
}

}  // namespace ferry::spawner
