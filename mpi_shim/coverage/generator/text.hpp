#pragma once
// Plain-text helpers shared by the header parser and the source scanner.

#include <string>
#include <string_view>

namespace ferry::mpi::coverage::generator {

/// `text` with every comment replaced by a space (string literals are kept intact).
std::string strip_comments(std::string_view text);
/// `text` with every preprocessor directive (continuation lines included) removed.
std::string strip_directives(std::string_view text);
/// Collapses runs of whitespace to one space and trims both ends.
std::string squeeze(std::string_view text);
bool is_identifier_char(char c) noexcept;
/// Index of the parenthesis closing the one at `open`, or npos when unbalanced.
size_t matching_paren(std::string_view text, size_t open) noexcept;
/// Whole contents of `path`; throws std::runtime_error naming the path on failure.
std::string read_file(const std::string& path);

}  // namespace ferry::mpi::coverage::generator
