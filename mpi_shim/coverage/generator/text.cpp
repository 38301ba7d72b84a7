#include "text.hpp"

#include <cctype>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace ferry::mpi::coverage::generator {

namespace {

// Copies a string or character literal starting at `i` to `out`; returns the index after it.
size_t copy_literal(std::string_view text, size_t i, std::string& out) {
  const char quote = text[i];
  out += text[i++];
  while (i < text.size() && text[i] != quote) {
    if (text[i] == '\\' && i + 1 < text.size()) out += text[i++];
    out += text[i++];
  }
  if (i < text.size()) out += text[i++];
  return i;
}

}  // namespace

std::string strip_comments(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    if (text.compare(i, 2, "/*") == 0) {
      const size_t end = text.find("*/", i + 2);
      i = end == std::string_view::npos ? text.size() : end + 2;
      out += ' ';
    } else if (text.compare(i, 2, "//") == 0) {
      i = text.find('\n', i);
      if (i == std::string_view::npos) i = text.size();
    } else if (text[i] == '"' || text[i] == '\'') {
      i = copy_literal(text, i, out);
    } else {
      out += text[i++];
    }
  }
  return out;
}

std::string strip_directives(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool in_directive = false;
  size_t line_start = 0;
  while (line_start < text.size()) {
    size_t line_end = text.find('\n', line_start);
    if (line_end == std::string_view::npos) line_end = text.size();
    const std::string_view line = text.substr(line_start, line_end - line_start);
    const size_t first = line.find_first_not_of(" \t");
    if (!in_directive && first != std::string_view::npos && line[first] == '#') in_directive = true;
    if (in_directive) {
      const size_t last = line.find_last_not_of(" \t\r");
      in_directive = last != std::string_view::npos && line[last] == '\\';
    } else {
      out.append(line);
    }
    out += '\n';
    line_start = line_end + 1;
  }
  return out;
}

std::string squeeze(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += c;
    }
  }
  if (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

bool is_identifier_char(char c) noexcept { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

size_t matching_paren(std::string_view text, size_t open) noexcept {
  int depth = 0;
  for (size_t i = open; i < text.size(); ++i) {
    if (text[i] == '(') ++depth;
    if (text[i] == ')' && --depth == 0) return i;
  }
  return std::string_view::npos;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

}  // namespace ferry::mpi::coverage::generator
