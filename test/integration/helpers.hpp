#pragma once
// Small helpers shared by the integration tests: payloads, status JSON lookups.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ferry::test {

/// `size` bytes of a pattern that depends on `seed`, so different inputs differ.
inline std::vector<std::byte> pattern(size_t size, uint32_t seed = 0) {
  std::vector<std::byte> bytes(size);
  for (size_t i = 0; i < size; ++i) bytes[i] = static_cast<std::byte>((i * 31U + seed * 7U + 11U) & 0xffU);
  return bytes;
}

/// How many bytes of `output` differ from `input` plus one (mod 256).
inline size_t increment_mismatches(const std::vector<std::byte>& input, const std::byte* output, size_t size) {
  size_t wrong = 0;
  for (size_t i = 0; i < size; ++i) {
    if (output[i] != static_cast<std::byte>((std::to_integer<unsigned>(input[i]) + 1U) & 0xffU)) ++wrong;
  }
  return wrong;
}

/// The first 8 bytes of an `expand` request for `n` output bytes.
inline std::vector<std::byte> u64_bytes(uint64_t n) {
  std::vector<std::byte> bytes(sizeof n);
  for (size_t i = 0; i < sizeof n; ++i) bytes[i] = static_cast<std::byte>((n >> (8 * i)) & 0xffU);
  return bytes;
}

/// The entry of `status["leases"]` with id `id`.
inline std::optional<nlohmann::json> find_lease(const nlohmann::json& status, uint64_t id) {
  for (const auto& lease : status.at("leases")) {
    if (lease.at("id").get<uint64_t>() == id) return lease;
  }
  return std::nullopt;
}

/// The entry of `status["spawners"]` with id `id`.
inline std::optional<nlohmann::json> find_spawner(const nlohmann::json& status, const std::string& id) {
  for (const auto& spawner : status.at("spawners")) {
    if (spawner.at("id").get<std::string>() == id) return spawner;
  }
  return std::nullopt;
}

}  // namespace ferry::test
