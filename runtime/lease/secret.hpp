#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace ferry::lease {

/// The cluster secret shared by the manager and its spawners (32 random bytes).
class Secret {
 public:
  static constexpr size_t size = 32;

  /// A fresh random secret (the kernel's getrandom), as the single-machine default uses.
  static Secret generate();
  /// Reads a secret file holding either exactly 32 raw bytes (`openssl rand 32`) or 64 hex
  /// digits and an optional newline (`openssl rand -hex 32`). Throws Error(not_found) for a
  /// missing file, Error(unauthorized) for one with any group or other permission bit, and
  /// Error(invalid_argument) for contents of any other size or form.
  static Secret load(const std::string& path);
  /// Writes the secret as 64 hex digits and a newline to `path` with mode 0600, atomically
  /// (a temporary file renamed over it).
  void save(const std::string& path) const;

  const std::array<uint8_t, size>& bytes() const noexcept { return bytes_; }

 private:
  std::array<uint8_t, size> bytes_{};
};

}  // namespace ferry::lease
