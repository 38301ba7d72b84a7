#include "runtime/wire/codec.hpp"

#include <catch2/catch.hpp>
#include <limits>

#include "runtime/common/error.hpp"

using ferry::Errc;
using ferry::Error;
using ferry::wire::Reader;
using ferry::wire::Writer;

namespace {

std::vector<std::byte> bytes_of(std::initializer_list<int> values) {
  std::vector<std::byte> bytes;
  for (const int value : values) bytes.push_back(static_cast<std::byte>(value));
  return bytes;
}

/// Runs `read` and checks that it throws a protocol error whose message contains `text`.
template <class Read>
void require_protocol_error(Read&& read, const std::string& text) {
  try {
    read();
    FAIL("no error; expected one about: " << text);
  } catch (const Error& error) {
    CHECK(error.code() == Errc::protocol);
    CHECK_THAT(error.what(), Catch::Matchers::Contains(text));
  }
}

}  // namespace

TEST_CASE("Writer lays integers out little-endian", "[wire][codec]") {
  Writer writer;
  writer.u8(0xab);
  writer.u16(0x0102);
  writer.u32(0x03040506);
  writer.u64(0x0708090a0b0c0d0eULL);
  writer.i32(-2);
  writer.i64(-1);
  writer.boolean(true);
  CHECK(writer.take() == bytes_of({0xab, 0x02, 0x01, 0x06, 0x05, 0x04, 0x03, 0x0e, 0x0d, 0x0c,
                                   0x0b, 0x0a, 0x09, 0x08, 0x07, 0xfe, 0xff, 0xff, 0xff, 0xff,
                                   0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}));
}

TEST_CASE("Writer prefixes strings, blobs and lists with a u32", "[wire][codec]") {
  Writer writer;
  writer.string("hi");
  writer.bytes(bytes_of({7}));
  writer.list(std::vector<std::string>{"a", ""}, [&](const std::string& s) { writer.string(s); });
  writer.raw(bytes_of({9, 9}));
  CHECK(writer.take() == bytes_of({2, 0, 0, 0, 'h', 'i', 1,   0, 0, 0, 7, 2, 0,
                                   0, 0, 1, 0, 0,   0,   'a', 0, 0, 0, 0, 9, 9}));
}

TEST_CASE("Writer::patch_u32 overwrites in place and checks bounds", "[wire][codec]") {
  Writer writer;
  writer.u32(0);
  writer.u8(5);
  writer.patch_u32(0, 0x11223344);
  CHECK(writer.view().size() == 5);
  CHECK(std::vector<std::byte>(writer.view().begin(), writer.view().end()) ==
        bytes_of({0x44, 0x33, 0x22, 0x11, 5}));
  CHECK_THROWS_AS(writer.patch_u32(2, 0), Error);
  CHECK_THROWS_AS(writer.patch_u32(std::numeric_limits<size_t>::max(), 0), Error);
}

TEST_CASE("Reader reads back what Writer wrote", "[wire][codec]") {
  Writer writer;
  writer.u8(200);
  writer.u16(65000);
  writer.u32(4'000'000'000U);
  writer.u64(std::numeric_limits<uint64_t>::max() - 1);
  writer.i32(std::numeric_limits<int32_t>::min());
  writer.i64(-1234567890123LL);
  writer.boolean(false);
  writer.string("ferry");
  writer.bytes(bytes_of({1, 2, 3}));
  writer.list(std::vector<std::string>{"x", "yz"}, [&](const std::string& s) { writer.string(s); });
  const auto bytes = writer.take();

  Reader reader(bytes);
  CHECK(reader.u8("a") == 200);
  CHECK(reader.u16("b") == 65000);
  CHECK(reader.u32("c") == 4'000'000'000U);
  CHECK(reader.u64("d") == std::numeric_limits<uint64_t>::max() - 1);
  CHECK(reader.i32("e") == std::numeric_limits<int32_t>::min());
  CHECK(reader.i64("f") == -1234567890123LL);
  CHECK_FALSE(reader.boolean("g"));
  CHECK(reader.string("h", 5) == "ferry");
  CHECK(reader.bytes("i", 3) == bytes_of({1, 2, 3}));
  const auto list = reader.list<std::string>("j", 2, [&] { return reader.string("j", 2); });
  CHECK(list == std::vector<std::string>{"x", "yz"});
  CHECK(reader.remaining() == 0);
  CHECK_NOTHROW(reader.expect_end());
}

TEST_CASE("Reader rejects truncated integers, naming the field and offset", "[wire][codec]") {
  const auto bytes = bytes_of({1, 2, 3});
  Reader reader(bytes);
  reader.set_context("Test", "group");
  CHECK(reader.u8("first") == 1);
  require_protocol_error([&] { reader.u32("cores"); },
                         "wire: Test.group.cores at byte 1: truncated: needs 4 bytes, 2 left");
}

TEST_CASE("Reader rejects lengths beyond the data or the limit", "[wire][codec]") {
  const auto too_long = bytes_of({5, 0, 0, 0, 'a', 'b'});
  require_protocol_error([&] { Reader(too_long).string("name", 100); },
                         "name at byte 0: length 5 but only 2 bytes left");
  require_protocol_error([&] { Reader(too_long).bytes("blob", 100); }, "only 2 bytes left");

  const auto huge = bytes_of({0xff, 0xff, 0xff, 0xff, 'a'});
  require_protocol_error([&] { Reader(huge).string("name", 64); },
                         "length 4294967295 exceeds the limit of 64 bytes");
  require_protocol_error(
      [&] {
        Reader reader(huge);
        reader.list<std::string>("names", 4096, [&] { return reader.string("names", 1); });
      },
      "list of 4294967295 elements exceeds the limit of 4096");

  const auto over_limit = bytes_of({3, 0, 0, 0, 'a', 'b', 'c'});
  require_protocol_error([&] { Reader(over_limit).string("name", 2); }, "exceeds the limit of 2");
  CHECK(Reader(over_limit).string("name", 3) == "abc");
}

TEST_CASE("Reader rejects truncated list elements", "[wire][codec]") {
  const auto bytes = bytes_of({2, 0, 0, 0, 1, 0, 0, 0, 'a'});
  Reader reader(bytes);
  require_protocol_error(
      [&] { reader.list<std::string>("names", 10, [&] { return reader.string("names", 10); }); },
      "names at byte 9: truncated");
}

TEST_CASE("Reader accepts only 0 and 1 as booleans", "[wire][codec]") {
  const auto bytes = bytes_of({0, 1, 2});
  Reader reader(bytes);
  CHECK_FALSE(reader.boolean("flag"));
  CHECK(reader.boolean("flag"));
  require_protocol_error([&] { reader.boolean("flag"); }, "flag at byte 2: boolean is 2");
}

TEST_CASE("Reader::raw reads fixed-size fields", "[wire][codec]") {
  const auto bytes = bytes_of({1, 2, 3});
  std::array<std::byte, 2> out{};
  Reader reader(bytes);
  reader.raw("mac", out);
  CHECK(out == std::array{std::byte{1}, std::byte{2}});
  require_protocol_error([&] { reader.raw("mac", out); }, "mac at byte 2: truncated");
}

TEST_CASE("Reader::raw reads zero bytes into a buffer that has none", "[wire][codec]") {
  std::vector<std::byte> none;
  const auto bytes = bytes_of({7});
  Reader reader(bytes);
  reader.raw("nothing", none);
  CHECK(reader.offset() == 0);
  Reader empty(std::span<const std::byte>{});
  empty.raw("nothing", none);
  CHECK(empty.remaining() == 0);
}

TEST_CASE("Reader::expect_end rejects trailing bytes", "[wire][codec]") {
  const auto bytes = bytes_of({1, 2, 3});
  Reader reader(bytes);
  reader.set_context("Test");
  reader.u8("x");
  require_protocol_error([&] { reader.expect_end(); }, "Test.end at byte 1: 2 trailing bytes");
}
