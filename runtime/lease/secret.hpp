#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace ferry::lease {

/// The cluster secret shared by the manager and its spawners (32 random bytes).
class Secret {
 public:
  static constexpr size_t size = 32;

  /// A fresh random secret (OpenSSL RAND_bytes), as the single-machine default uses.
  static Secret generate();
  /// Reads a secret file. Refuses files readable or writable by group or others, and
  /// files of the wrong size, with Error(unauthorized / invalid_argument) that says why.
  static Secret load(const std::string& path);
  /// Writes the secret to `path` with mode 0600 (creating or replacing it).
  void save(const std::string& path) const;

  const std::array<uint8_t, size>& bytes() const noexcept { return bytes_; }

 private:
  std::array<uint8_t, size> bytes_{};
};

}  // namespace ferry::lease
