#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ferry {

/// Lower-case hex text of `bytes`.
std::string to_hex(std::span<const std::byte> bytes);
/// The bytes of hex text (either case); empty when the text is not an even run of hex digits.
std::optional<std::vector<std::byte>> from_hex(std::string_view text);

}  // namespace ferry
