// Any input either decodes or is refused with Error(protocol). Whatever decodes is
// canonical: it re-encodes to the very same bytes, which decode to an equal message.

#include <algorithm>
#include <cstdlib>

#include "runtime/wire/messages.hpp"
#include "test/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const std::byte> bytes(reinterpret_cast<const std::byte*>(data), size);
  const auto message = ferry::fuzz::decoded_or_refused(ferry::wire::decode, bytes);
  if (!message) return 0;
  const std::vector<std::byte> encoded = ferry::wire::encode(*message);
  if (!std::ranges::equal(encoded, bytes)) std::abort();
  if (ferry::wire::decode(encoded) != *message) std::abort();
  return 0;
}
