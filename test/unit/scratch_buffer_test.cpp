#include "runtime/common/scratch_buffer.hpp"

#include <catch2/catch.hpp>
#include <cstdint>
#include <cstring>
#include <utility>

using ferry::ScratchBuffer;

TEST_CASE("a scratch buffer grows to what is asked and keeps its storage when shrunk", "[unit][buffer]") {
  ScratchBuffer buffer;
  CHECK(buffer.size() == 0);
  CHECK(buffer.data() == nullptr);

  buffer.prepare(1000);
  REQUIRE(buffer.data() != nullptr);
  CHECK(buffer.size() == 1000);
  CHECK_FALSE(buffer.mapped());
  CHECK(reinterpret_cast<uintptr_t>(buffer.data()) % 64 == 0);
  std::memset(buffer.data(), 0x5a, buffer.size());

  std::byte* const storage = buffer.data();
  buffer.prepare(10);
  CHECK(buffer.size() == 10);
  CHECK(buffer.data() == storage);
  CHECK(buffer.capacity() == 1000);
}

TEST_CASE("large scratch buffers are mappings rounded up to whole huge pages", "[unit][buffer]") {
  ScratchBuffer buffer;
  const size_t size = ScratchBuffer::huge_threshold * 3 + 1;
  buffer.prepare(size);
  REQUIRE(buffer.data() != nullptr);
  CHECK(buffer.mapped());
  CHECK(buffer.size() == size);
  CHECK(buffer.capacity() == ScratchBuffer::huge_threshold * 4);
  std::memset(buffer.data(), 0xa5, buffer.size());
  CHECK(buffer.data()[size - 1] == std::byte{0xa5});

  buffer.prepare(100);
  CHECK(buffer.mapped());
  CHECK(buffer.size() == 100);
}

TEST_CASE("a moved scratch buffer hands over its storage", "[unit][buffer]") {
  ScratchBuffer first;
  first.prepare(ScratchBuffer::huge_threshold);
  std::byte* const storage = first.data();
  ScratchBuffer second(std::move(first));
  CHECK(second.data() == storage);
  CHECK(second.size() == ScratchBuffer::huge_threshold);
  CHECK(first.data() == nullptr);
  CHECK(first.size() == 0);

  ScratchBuffer third;
  third.prepare(16);
  third = std::move(second);
  CHECK(third.data() == storage);
  CHECK(third.mapped());
  third.prepare(0);
  CHECK(third.size() == 0);
}
