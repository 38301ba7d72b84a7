#pragma once
// Shipped files (function libraries, programs and their libraries), kept in sealed
// memfds and cached by their owner and the SHA-256 of their content, so a file is sent
// once per spawner and user however many executors use it. The cache holds a bounded
// number of bytes: trim() drops the least recently used files beyond it.

#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <string>

#include "runtime/common/unique_fd.hpp"

namespace ferry::spawner {

class LibraryCache {
 public:
  static constexpr uint64_t default_capacity_bytes = uint64_t{1} << 30;

  explicit LibraryCache(uint64_t capacity_bytes = default_capacity_bytes) : capacity_(capacity_bytes) {}

  /// The memfd of the file stored under `key` (now its most recent use), or -1 when it is
  /// not cached. The descriptor stays valid until the next trim().
  int find(const std::string& key);
  /// Checks that `content` hashes to `hash` and stores it under `key`; returns its memfd.
  /// Throws Error(protocol) on a hash mismatch. Stores even beyond the capacity: the
  /// files of one request must all be there when it is served.
  int store(const std::string& key, const std::string& hash, std::span<const std::byte> content);
  /// Drops the least recently used files until at most the capacity is held. Call it
  /// between requests: no descriptor that find() or store() returned is in use then.
  /// Executors that were given a file keep their own descriptor of it.
  void trim();

  uint64_t bytes() const noexcept { return bytes_; }
  size_t files() const noexcept { return files_.size(); }

 private:
  struct File {
    UniqueFd fd;
    uint64_t size = 0;
    uint64_t last_use = 0;
  };
  std::map<std::string, File> files_;
  uint64_t capacity_;
  uint64_t bytes_ = 0;
  uint64_t uses_ = 0;
};

}  // namespace ferry::spawner
