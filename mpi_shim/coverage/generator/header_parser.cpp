#include "header_parser.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <stdexcept>

#include "text.hpp"

namespace ferry::mpi::coverage::generator {

namespace {

constexpr std::string_view declspec = "OMPI_DECLSPEC";

std::vector<std::string> split_parameters(std::string_view list) {
  std::vector<std::string> parts;
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i < list.size(); ++i) {
    if (list[i] == '(' || list[i] == '[') ++depth;
    if (list[i] == ')' || list[i] == ']') --depth;
    if (list[i] == ',' && depth == 0) {
      parts.push_back(squeeze(list.substr(start, i - start)));
      start = i + 1;
    }
  }
  parts.push_back(squeeze(list.substr(start)));
  return parts;
}

// The identifier that ends right before `end` (skipping spaces), with its start index.
std::pair<std::string, size_t> identifier_before(std::string_view text, size_t end) {
  while (end > 0 && std::isspace(static_cast<unsigned char>(text[end - 1]))) --end;
  size_t start = end;
  while (start > 0 && is_identifier_char(text[start - 1])) --start;
  return {std::string(text.substr(start, end - start)), start};
}

bool is_type_word(const std::string& word) {
  static const char* const words[] = {"const", "int", "char", "void", "double", "float", "long",
                                      "short", "unsigned", "signed", "struct", "volatile"};
  return std::find(std::begin(words), std::end(words), word) != std::end(words);
}

Parameter parse_function_pointer(std::string_view text) {
  Parameter parameter{std::string(text), {}, {}, Parameter::Shape::other};
  const size_t star = text.find("(*");
  if (star != std::string_view::npos) {
    const size_t close = text.find(')', star);
    parameter.name = squeeze(text.substr(star + 2, close - star - 2));
  }
  return parameter;
}

}  // namespace

Parameter parse_parameter(std::string_view raw) {
  const std::string text = squeeze(raw);
  if (text.find('(') != std::string::npos) return parse_function_pointer(text);
  Parameter parameter{text, {}, {}, Parameter::Shape::value};
  std::string_view rest = text;
  if (const size_t bracket = rest.find('['); bracket != std::string_view::npos) {
    parameter.shape = Parameter::Shape::array;
    rest = rest.substr(0, bracket);
  }
  auto [last, start] = identifier_before(rest, rest.size());
  if (!last.empty() && !squeeze(rest.substr(0, start)).empty() && !is_type_word(last)) {
    parameter.name = last;
    rest = rest.substr(0, start);
  }
  std::string type;
  for (const char c : rest)
    if (c != '*') type += c;
  const auto stars = std::count(rest.begin(), rest.end(), '*');
  if (stars == 1 && parameter.shape == Parameter::Shape::value) parameter.shape = Parameter::Shape::pointer;
  if (stars > 1 || (stars == 1 && parameter.shape == Parameter::Shape::array)) parameter.shape = Parameter::Shape::other;
  type = " " + squeeze(type) + " ";
  for (size_t at; (at = type.find(" const ")) != std::string::npos;) type.erase(at, 6);
  parameter.base_type = squeeze(type);
  return parameter;
}

namespace {

// The `;` ending the declaration that starts at `begin`, ignoring any inside string literals.
size_t declaration_end(std::string_view text, size_t begin) {
  for (size_t i = begin; i < text.size(); ++i) {
    if (text[i] == ';') return i;
    if (text[i] == '"') i = text.find('"', i + 1);
    if (i == std::string_view::npos) break;
  }
  return std::string_view::npos;
}

std::optional<Prototype> parse_declaration(std::string_view declaration) {
  const size_t open = declaration.find('(');
  if (open == std::string_view::npos) return std::nullopt;
  auto [name, name_start] = identifier_before(declaration, open);
  if (name.rfind("MPI_", 0) != 0) return std::nullopt;
  const size_t close = matching_paren(declaration, open);
  if (close == std::string_view::npos) throw std::runtime_error("unbalanced parentheses in the declaration of " + name);
  Prototype prototype;
  prototype.name = name;
  prototype.return_type = squeeze(declaration.substr(0, name_start));
  if (prototype.return_type.empty() || prototype.return_type.find("extern") != std::string::npos)
    throw std::runtime_error("cannot read the return type of " + name);
  const std::string list = squeeze(declaration.substr(open + 1, close - open - 1));
  if (list.empty() || list == "void") return prototype;
  for (const std::string& part : split_parameters(list)) {
    if (part == "...") {
      prototype.variadic = true;
      continue;
    }
    prototype.parameters.push_back(parse_parameter(part));
  }
  return prototype;
}

}  // namespace

std::vector<Prototype> parse_mpi_header(std::string_view header) {
  const std::string text = strip_directives(strip_comments(header));
  std::map<std::string, Prototype> found;
  for (size_t at = text.find(declspec); at != std::string::npos; at = text.find(declspec, at + 1)) {
    const size_t begin = at + declspec.size();
    if (begin < text.size() && is_identifier_char(text[begin])) continue;
    const size_t end = declaration_end(text, begin);
    if (end == std::string::npos) throw std::runtime_error("unterminated declaration at the end of mpi.h");
    std::optional<Prototype> prototype = parse_declaration(text.substr(begin, end - begin));
    if (prototype) found.emplace(prototype->name, std::move(*prototype));
  }
  std::vector<Prototype> prototypes;
  for (auto& [name, prototype] : found) prototypes.push_back(std::move(prototype));
  return prototypes;
}

}  // namespace ferry::mpi::coverage::generator
