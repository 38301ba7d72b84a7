#pragma once
// Shipped files (function libraries, programs and their libraries), kept in sealed
// memfds and cached by their owner and the SHA-256 of their content, so a file is sent
// once per spawner and user however many executors use it.

#include <cstddef>
#include <map>
#include <span>
#include <string>

#include "runtime/common/unique_fd.hpp"

namespace ferry::spawner {

class LibraryCache {
 public:
  /// The memfd of the library stored under `key`, or -1 when it is not cached.
  int find(const std::string& key) const;
  /// Checks that `library` hashes to `hash` and stores it under `key`; returns its memfd.
  /// Throws Error(protocol) on a hash mismatch.
  int store(const std::string& key, const std::string& hash, std::span<const std::byte> library);

 private:
  std::map<std::string, UniqueFd> libraries_;
};

}  // namespace ferry::spawner
