#include "source_scanner.hpp"

#include <vector>

#include "text.hpp"

namespace ferry::mpi::coverage::generator {

namespace {

// Stands for `extern "C"` once literals are blanked out; cannot clash with C++ code.
constexpr std::string_view linkage_mark = "@extern_c@";

// Comments removed, `extern "C"` marked, every other literal emptied (so its braces,
// parentheses and semicolons do not count).
std::string prepare(std::string_view source) {
  const std::string text = strip_comments(source);
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    if (text.compare(i, 6, "extern") == 0 && (i == 0 || !is_identifier_char(text[i - 1]))) {
      const size_t quote = text.find_first_not_of(" \t\n", i + 6);
      if (quote != std::string::npos && text.compare(quote, 3, "\"C\"") == 0) {
        out += linkage_mark;
        i = quote + 3;
        continue;
      }
    }
    if (text[i] == '"' || text[i] == '\'') {
      const char quote = text[i];
      out += quote;
      for (++i; i < text.size() && text[i] != quote; ++i)
        if (text[i] == '\\') ++i;
      out += quote;
      ++i;
      continue;
    }
    out += text[i++];
  }
  return out;
}

// Skips spaces, `noexcept`, `noexcept(...)` and `__attribute__((...))` after a parameter list.
size_t skip_specifiers(std::string_view text, size_t i) {
  for (;;) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r')) ++i;
    std::string_view word;
    for (const std::string_view candidate : {"noexcept", "__attribute__"})
      if (text.compare(i, candidate.size(), candidate) == 0) word = candidate;
    if (word.empty()) return i;
    i += word.size();
    while (i < text.size() && text[i] == ' ') ++i;
    if (i < text.size() && text[i] == '(') {
      const size_t close = matching_paren(text, i);
      if (close == std::string_view::npos) return text.size();
      i = close + 1;
    }
  }
}

// True when the declaration ending at `name_start` carries `extern "C"` itself.
bool declared_extern_c(std::string_view text, size_t name_start) {
  const size_t boundary = text.find_last_of(";{}", name_start);
  const size_t from = boundary == std::string_view::npos ? 0 : boundary + 1;
  return text.substr(from, name_start - from).find(linkage_mark) != std::string_view::npos;
}

bool opens_linkage_block(std::string_view text, size_t brace) {
  const size_t mark_end = text.find_last_not_of(" \t\n\r", brace - 1);
  return brace > 0 && mark_end != std::string_view::npos && mark_end + 1 >= linkage_mark.size() &&
         text.substr(mark_end + 1 - linkage_mark.size(), linkage_mark.size()) == linkage_mark;
}

}  // namespace

std::set<std::string> hand_written_definitions(std::string_view source) {
  const std::string text = prepare(source);
  std::set<std::string> names;
  std::vector<bool> braces;  // for each open brace: does it open an extern "C" block?
  int linkage_depth = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '{') {
      braces.push_back(opens_linkage_block(text, i));
      linkage_depth += braces.back();
    } else if (text[i] == '}') {
      if (!braces.empty()) {
        linkage_depth -= braces.back();
        braces.pop_back();
      }
    } else if (text.compare(i, 4, "MPI_") == 0 && (i == 0 || !is_identifier_char(text[i - 1]))) {
      size_t end = i;
      while (end < text.size() && is_identifier_char(text[end])) ++end;
      size_t open = end;
      while (open < text.size() && (text[open] == ' ' || text[open] == '\n' || text[open] == '\t')) ++open;
      if (open >= text.size() || text[open] != '(') continue;
      const size_t close = matching_paren(text, open);
      if (close == std::string::npos) break;
      const size_t body = skip_specifiers(text, close + 1);
      const bool defined = body < text.size() && text[body] == '{';
      if (defined && (linkage_depth > 0 || declared_extern_c(text, i))) names.insert(text.substr(i, end - i));
      i = end - 1;
    }
  }
  return names;
}

}  // namespace ferry::mpi::coverage::generator
