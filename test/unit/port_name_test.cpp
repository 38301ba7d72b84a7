#include "mpi_shim/dynamic/port_name.hpp"

#include <catch2/catch.hpp>

#include "mpi_shim/tags.hpp"
#include "runtime/common/error.hpp"

using ferry::Errc;
using ferry::Error;
using ferry::mpi::format_port_name;
using ferry::mpi::parse_port_name;
using ferry::mpi::PortName;

namespace {

std::vector<std::byte> address_of_size(size_t size) {
  std::vector<std::byte> bytes(size);
  for (size_t i = 0; i < size; ++i) bytes[i] = std::byte((i * 67 + 13) & 0xFF);
  return bytes;
}

void require_invalid(const std::string& text) {
  INFO(text);
  try {
    parse_port_name(text);
    FAIL("parsed");
  } catch (const Error& error) {
    CHECK(error.code() == Errc::invalid_argument);
  }
}

}  // namespace

TEST_CASE("Port names round-trip for every address length and port id", "[mpi][ports]") {
  for (const size_t size : {1, 2, 3, 4, 215, 700}) {
    for (const uint64_t id : {uint64_t{0}, uint64_t{0x1234abcd}, ferry::mpi::port_id_limit - 1}) {
      const PortName port{id, address_of_size(size)};
      const std::string text = format_port_name(port, 1023);
      INFO(text);
      CHECK(text.starts_with("ferry-port:"));
      const PortName parsed = parse_port_name(text);
      CHECK(parsed.id == id);
      CHECK(parsed.address == port.address);
    }
  }
}

TEST_CASE("A port name is compact: a 215-byte address takes 288 characters", "[mpi][ports]") {
  CHECK(format_port_name({7, address_of_size(215)}, 1023).size() == 11 + 11 + 1 + 288);
}

TEST_CASE("An address too long for the port name is refused with its size", "[mpi][ports]") {
  try {
    format_port_name({7, address_of_size(800)}, 1023);
    FAIL("formatted");
  } catch (const Error& error) {
    CHECK(error.code() == Errc::invalid_argument);
    CHECK_THAT(error.what(), Catch::Matchers::Contains("800 bytes"));
  }
  CHECK_THROWS_AS(format_port_name({ferry::mpi::port_id_limit, address_of_size(4)}, 1023), Error);
}

TEST_CASE("Anything else is not a port name", "[mpi][ports]") {
  const std::string good = format_port_name({0xabc, address_of_size(5)}, 1023);
  require_invalid("");
  require_invalid("ferry-port:");
  require_invalid("tcp://127.0.0.1:5000");
  require_invalid(good.substr(0, good.size() - 1));
  require_invalid("ferry-port:0000000abcx:QUJD");
  require_invalid("ferry-port:00000000ABC:QUJD");
  require_invalid("ferry-port:00000000abc;QUJD");
  require_invalid("ferry-port:fffffffffff:QUJD");
  require_invalid("ferry-port:00000000abc:");
  require_invalid("ferry-port:00000000abc:QU=D");
  require_invalid("ferry-port:00000000abc:Q===");
  require_invalid("ferry-port:00000000abc:QU JD");
  CHECK(parse_port_name("ferry-port:00000000abc:QUI=").address.size() == 2);
  CHECK(parse_port_name(good + "\n").address == address_of_size(5));
  CHECK(parse_port_name(good + "   ").id == 0xabc);
}
