#include "mpi_shim/dynamic/port_name.hpp"

#include <array>
#include <cctype>
#include <cstdio>

#include "mpi_shim/tags.hpp"
#include "runtime/common/error.hpp"
#include "runtime/common/random_bytes.hpp"

namespace ferry::mpi {

namespace {

constexpr std::string_view prefix = "ferry-port:";
constexpr size_t id_digits = 11;  // 41 bits
constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static_assert(uint64_t{1} << (4 * id_digits) >= port_id_limit);

std::string to_base64(const std::vector<std::byte>& bytes) {
  std::string text;
  text.reserve((bytes.size() + 2) / 3 * 4);
  for (size_t at = 0; at < bytes.size(); at += 3) {
    const size_t left = bytes.size() - at;
    uint32_t group = std::to_integer<uint32_t>(bytes[at]) << 16;
    if (left > 1) group |= std::to_integer<uint32_t>(bytes[at + 1]) << 8;
    if (left > 2) group |= std::to_integer<uint32_t>(bytes[at + 2]);
    text += alphabet[(group >> 18) & 63U];
    text += alphabet[(group >> 12) & 63U];
    text += left > 1 ? alphabet[(group >> 6) & 63U] : '=';
    text += left > 2 ? alphabet[group & 63U] : '=';
  }
  return text;
}

std::vector<std::byte> from_base64(std::string_view text) {
  if (text.empty() || text.size() % 4 != 0) throw Error(Errc::invalid_argument, "the address is not base64");
  const size_t padding = text.ends_with("==") ? 2 : text.ends_with('=') ? 1 : 0;
  std::vector<std::byte> bytes;
  bytes.reserve(text.size() / 4 * 3);
  for (size_t at = 0; at < text.size(); at += 4) {
    uint32_t group = 0;
    for (size_t i = 0; i < 4; ++i) {
      const bool padded = at + i >= text.size() - padding;
      const size_t value = padded ? 0 : alphabet.find(text[at + i]);
      if (value == std::string_view::npos) throw Error(Errc::invalid_argument, "the address is not base64");
      group = (group << 6) | uint32_t(value);
    }
    for (size_t i = 0; i < 3; ++i) bytes.push_back(std::byte((group >> (16 - 8 * i)) & 0xFFU));
  }
  bytes.resize(bytes.size() - padding);
  return bytes;
}

}  // namespace

uint64_t draw_port_id() {
  uint64_t id = 0;
  fill_random(std::as_writable_bytes(std::span(&id, 1)));
  return id & (port_id_limit - 1);
}

std::string format_port_name(const PortName& port, size_t capacity) {
  if (port.id >= port_id_limit) throw Error(Errc::invalid_argument, "a port id out of range");
  std::array<char, id_digits + 1> id{};
  std::snprintf(id.data(), id.size(), "%011llx", static_cast<unsigned long long>(port.id));
  std::string name = std::string(prefix) + id.data() + ":" + to_base64(port.address);
  if (name.size() > capacity) {
    throw Error(Errc::invalid_argument, "this process's UCX worker address (" + std::to_string(port.address.size()) +
                                            " bytes) makes a port name of " + std::to_string(name.size()) +
                                            " characters, more than the " + std::to_string(capacity) +
                                            " MPI_MAX_PORT_NAME allows");
  }
  return name;
}

PortName parse_port_name(std::string_view text) {
  // A name read back from a file or a Fortran string may end in blanks or a newline.
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  const std::string shown(text.substr(0, 40));
  if (!text.starts_with(prefix) || text.size() < prefix.size() + id_digits + 2 ||
      text[prefix.size() + id_digits] != ':') {
    throw Error(Errc::invalid_argument, "'" + shown + "' is not a Ferry port name");
  }
  PortName port;
  for (const char digit : text.substr(prefix.size(), id_digits)) {
    const size_t value = std::string_view("0123456789abcdef").find(digit);
    if (value == std::string_view::npos) throw Error(Errc::invalid_argument, "'" + shown + "' has no port id");
    port.id = port.id * 16 + value;
  }
  if (port.id >= port_id_limit) throw Error(Errc::invalid_argument, "'" + shown + "' has a port id out of range");
  port.address = from_base64(text.substr(prefix.size() + id_digits + 1));
  return port;
}

}  // namespace ferry::mpi
