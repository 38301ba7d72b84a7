#include <catch2/catch.hpp>
#include <limits>
#include <random>
#include <set>

#include "runtime/wire/messages.hpp"

using namespace ferry::wire;
using ferry::Errc;
using ferry::Error;

namespace {

std::vector<std::byte> blob(size_t size, uint8_t seed) {
  std::vector<std::byte> bytes(size);
  for (size_t i = 0; i < size; ++i) bytes[i] = static_cast<std::byte>(seed + i * 31);
  return bytes;
}

ferry::lease::Token sample_token() {
  ferry::lease::Token token{.lease_id = 0x0123456789abcdefULL,
                            .spawner_id = "node-17",
                            .cores = 6,
                            .memory_mib = 12288,
                            .expiry_unix_ms = 1'700'000'123'456ULL,
                            .owner = "alice@login2",
                            .owner_uid = 1001,
                            .owner_gid = 100,
                            .owner_user = "alice",
                            .owner_proof = ferry::lease::OwnerProof::munge};
  for (size_t i = 0; i < token.mac.size(); ++i) token.mac[i] = static_cast<uint8_t>(0xa0 + i);
  return token;
}

ferry::lease::Mac proof_mac() {
  ferry::lease::Mac mac{};
  for (size_t i = 0; i < mac.size(); ++i) mac[i] = static_cast<uint8_t>(0x30 + 3 * i);
  return mac;
}

const Usage usage{.wall_ns = 9'000'000'001,
                  .cpu_ns = 8'500'000'002,
                  .hot_poll_ns = 42,
                  .peak_memory_kib = 1 << 20};

/// One message of every type, each field set to something other than its default.
std::vector<Message> sample_messages() {
  return {
      RegisterSpawner{"node-17", "10.0.0.17:7070", 48, 192'000, "cn17", {sample_token(), sample_token()}, 9001},
      RegisterReply{Errc::no_resources, "registry full", 250},
      Heartbeat{"node-17", 12, 40'960},
      LeaseRevoke{77, "owner disconnected"},
      UsageReport{77, 1'000'000'000'007ULL, usage},
      LeaseRequest{5, "alice@login2", 4, 8192, 60'000, "cn17", 1001, 100, "alice", "MUNGE:AwQFAAB...:"},
      LeaseReply{5, Errc::ok, "", sample_token(), "10.0.0.17:7070"},
      LeaseRenew{6, 77, 30'000, proof_mac()},
      LeaseRelease{std::numeric_limits<uint64_t>::max(), proof_mac()},
      StatusRequest{8},
      StatusReply{8, R"({"spawners":[{"id":"node-17","cores":48}]})"},
      SpawnRequest{9,
                   sample_token(),
                   2,
                   4096,
                   SpawnKind::program,
                   {"./app", "--size", "1024", ""},
                   {"OMP_NUM_THREADS=1", "FERRY_RANK=3"},
                   2,
                   std::string(64, 'e'),
                   blob(300, 3),
                   "/scratch/job 17",
                   {ShippedFile{"/home/alice/bin/app", std::string(64, 'a'), true, blob(500, 4)},
                    ShippedFile{"/home/alice/lib/libsolver.so.2", std::string(64, 'b'), false, {}}}},
      SpawnReply{9, Errc::unauthorized, "bad token", true, {std::string(64, 'b'), ""}, 31, -4242, blob(90, 5),
                 blob(32, 11)},
      TokenUpdate{sample_token()},
      KillExecutor{31},
      ExecutorOutput{31, Stream::err, "line one\nline two\n"},
      ExecutorExit{31, -1, 9, "killed at lease expiry", usage},
      ExecutorHello{blob(32, 11), {"add", "", "matmul_f64"}},
      ExecutorWelcome{
          Errc::function_failed, "no such function", {blob(120, 1), blob(0, 0), blob(4096, 2)}},
      NamePublish{10, "alice", "ocean-model", "ferry-port:00c0ffee00c0ffee:QUJD"},
      NameLookup{11, "alice", "ocean model, coupled"},
      NameUnpublish{12, "alice", "ocean-model", "ferry-port:00c0ffee00c0ffee:QUJD"},
      NameReply{11, Errc::not_found, "the name 'x' is not published", "ferry-port:1:QQ"},
      SpawnerLeaving{"node-17:slurm-42", "node reclaimed by Slurm (node node-17, job 42)"},
  };
}

void set_u32(std::vector<std::byte>& bytes, size_t offset, uint32_t value) {
  for (size_t i = 0; i < 4; ++i) bytes[offset + i] = static_cast<std::byte>(value >> (8 * i));
}

void set_body_length(std::vector<std::byte>& bytes) {
  set_u32(bytes, 4, static_cast<uint32_t>(bytes.size() - 8));
}

/// Decoding `bytes` must throw a protocol error mentioning `text`.
void require_rejected(const std::vector<std::byte>& bytes, const std::string& text) {
  try {
    const Message message = decode(bytes);
    FAIL("decoded a " << message_name(message) << "; expected an error about: " << text);
  } catch (const Error& error) {
    CHECK(error.code() == Errc::protocol);
    CHECK_THAT(error.what(), Catch::Matchers::Contains(text));
  }
}

/// A decodable input must be exactly the canonical encoding of what it decodes to.
void require_decodes_canonically_or_throws(const std::vector<std::byte>& bytes) {
  try {
    const Message message = decode(bytes);
    REQUIRE(encode(message) == bytes);
  } catch (const Error& error) {
    REQUIRE(error.code() == Errc::protocol);
  }
}

}  // namespace

TEST_CASE("Samples cover every message type", "[wire][messages]") {
  std::set<size_t> indices;
  for (const Message& message : sample_messages()) indices.insert(message.index());
  CHECK(indices.size() == std::variant_size_v<Message>);
}

TEST_CASE("Every message type round-trips", "[wire][messages]") {
  for (const Message& message : sample_messages()) {
    INFO(message_name(message));
    const auto bytes = encode(message);
    CHECK(decode(bytes) == message);
  }
}

TEST_CASE("Default-constructed messages round-trip", "[wire][messages]") {
  for (const Message& sample : sample_messages()) {
    Message message =
        std::visit([](const auto& m) -> Message { return std::decay_t<decltype(m)>{}; }, sample);
    INFO(message_name(message));
    CHECK(decode(encode(message)) == message);
  }
}

TEST_CASE("The frame header is magic, version, type, body length", "[wire][messages]") {
  const auto bytes = encode(LeaseRelease{0x1122334455667788ULL, proof_mac()});
  REQUIRE(bytes.size() == 48);
  CHECK(bytes[0] == std::byte{'F'});
  CHECK(bytes[1] == std::byte{'Y'});
  CHECK(bytes[2] == std::byte{protocol_version});
  CHECK(bytes[3] == std::byte{9});
  CHECK(bytes[4] == std::byte{40});
  CHECK(bytes[8] == std::byte{0x88});
  CHECK(bytes[15] == std::byte{0x11});
}

TEST_CASE("message_name names the type", "[wire][messages]") {
  CHECK(message_name(SpawnRequest{}) == "SpawnRequest");
  CHECK(message_name(ExecutorWelcome{}) == "ExecutorWelcome");
}

TEST_CASE("Every strict prefix of every message is rejected", "[wire][messages]") {
  for (const Message& message : sample_messages()) {
    INFO(message_name(message));
    const auto bytes = encode(message);
    for (size_t size = 0; size < bytes.size(); ++size) {
      std::vector<std::byte> prefix(bytes.begin(), bytes.begin() + size);
      CHECK_THROWS_AS(decode(prefix), Error);
      if (size < 8) continue;
      set_body_length(prefix);
      INFO("body cut to " << size - 8 << " bytes");
      CHECK_THROWS_AS(decode(prefix), Error);
    }
  }
}

TEST_CASE("A truncated body names the field that is cut", "[wire][messages]") {
  auto bytes = encode(LeaseRevoke{77, "reason"});
  bytes.resize(8 + 8 + 2);
  set_body_length(bytes);
  require_rejected(bytes, "LeaseRevoke.reason at byte 16: truncated");
}

TEST_CASE("A bad frame header is rejected", "[wire][messages]") {
  const auto good = encode(Heartbeat{"node-1", 1, 2});
  auto bytes = good;

  SECTION("flipped magic") {
    bytes[0] ^= std::byte{0x01};
    require_rejected(bytes, "frame.magic at byte 0: not a Ferry message");
    bytes = good;
    bytes[1] ^= std::byte{0x80};
    require_rejected(bytes, "not a Ferry message");
  }
  SECTION("unknown version") {
    bytes[2] = static_cast<std::byte>(protocol_version + 1);
    require_rejected(bytes, "frame.version at byte 2: unknown protocol version " + std::to_string(protocol_version + 1));
    bytes[2] = std::byte{0};
    require_rejected(bytes, "unknown protocol version 0");
  }
  SECTION("unknown type") {
    for (const int type : {0, static_cast<int>(std::variant_size_v<Message>) + 1, 255}) {
      bytes[3] = static_cast<std::byte>(type);
      require_rejected(bytes, "frame.type at byte 3: unknown message type " + std::to_string(type));
    }
  }
  SECTION("body length too long or too short") {
    const auto length = static_cast<uint32_t>(good.size() - 8);
    set_u32(bytes, 4, length + 1);
    require_rejected(bytes, "frame.body length at byte 4");
    set_u32(bytes, 4, length - 1);
    require_rejected(bytes, "frame.body length");
    set_u32(bytes, 4, 0xFFFFFFFF);
    require_rejected(bytes, "says 4294967295 bytes");
  }
  SECTION("trailing bytes") {
    bytes.push_back(std::byte{0});
    require_rejected(bytes, "body length");
    set_body_length(bytes);
    require_rejected(bytes, "Heartbeat.end at byte 26: 1 trailing bytes");
  }
}

TEST_CASE("Huge length fields are rejected", "[wire][messages]") {
  SECTION("string length") {
    auto bytes = encode(LeaseRevoke{77, "reason"});
    set_u32(bytes, 16, 0xFFFFFFFF);
    require_rejected(bytes, "LeaseRevoke.reason at byte 16: length 4294967295 exceeds the limit");
  }
  SECTION("string length just past the data") {
    auto bytes = encode(LeaseRevoke{77, "reason"});
    set_u32(bytes, 16, 7);
    require_rejected(bytes, "length 7 but only 6 bytes left");
  }
  SECTION("list count") {
    auto bytes = encode(ExecutorHello{{}, {"f"}});
    set_u32(bytes, 12, 0xFFFFFFFF);
    require_rejected(bytes, "ExecutorHello.functions at byte 12: list of 4294967295 elements");
  }
  SECTION("token string inside a group") {
    auto bytes = encode(TokenUpdate{sample_token()});
    set_u32(bytes, 16, 0xFFFFFFFF);
    require_rejected(bytes, "TokenUpdate.token.spawner_id at byte 16");
  }
}

TEST_CASE("Per-field limits apply on both sides", "[wire][messages]") {
  SECTION("ordinary strings: 64 KiB") {
    const Message ok = LeaseRevoke{1, std::string(64 * 1024, 'x')};
    CHECK(decode(encode(ok)) == ok);
    CHECK_THROWS_AS(encode(LeaseRevoke{1, std::string(64 * 1024 + 1, 'x')}), Error);
  }
  SECTION("output data: 1 MiB") {
    const Message ok = ExecutorOutput{1, Stream::out, std::string(1 << 20, 'o')};
    CHECK(decode(encode(ok)) == ok);
    try {
      encode(ExecutorOutput{1, Stream::out, std::string((1 << 20) + 1, 'o')});
      FAIL("encoded an oversized ExecutorOutput");
    } catch (const Error& error) {
      CHECK(error.code() == Errc::invalid_argument);
      CHECK_THAT(error.what(), Catch::Matchers::Contains("ExecutorOutput.data"));
    }
  }
  SECTION("status json: 4 MiB") {
    const Message ok = StatusReply{1, std::string(4 << 20, 'j')};
    CHECK(decode(encode(ok)) == ok);
    CHECK_THROWS_AS(encode(StatusReply{1, std::string((4 << 20) + 1, 'j')}), Error);
  }
  SECTION("lists: 4096 elements") {
    const Message ok = ExecutorHello{{}, std::vector<std::string>(4096, "f")};
    CHECK(decode(encode(ok)) == ok);
    CHECK_THROWS_AS(encode(ExecutorHello{{}, std::vector<std::string>(4097, "f")}), Error);
  }
  SECTION("MPI names and ports: 4 KiB") {
    const Message ok = NamePublish{1, "u", std::string(4096, 's'), std::string(4096, 'p')};
    CHECK(decode(encode(ok)) == ok);
    CHECK_THROWS_AS(encode(NameLookup{1, "u", std::string(4097, 's')}), Error);
    CHECK_THROWS_AS(encode(NameReply{1, Errc::ok, "", std::string(4097, 'p')}), Error);
  }
  SECTION("munge credentials: 4 KiB") {
    LeaseRequest request;
    request.credential = std::string(4096, 'c');
    CHECK(decode(encode(request)) == Message(request));
    request.credential += 'c';
    CHECK_THROWS_AS(encode(request), Error);
    request.credential.clear();
    auto bytes = encode(request);
    const size_t credential_at = bytes.size() - 4;
    set_u32(bytes, credential_at, 4097);
    bytes.resize(bytes.size() + 4097, std::byte{'c'});
    set_body_length(bytes);
    require_rejected(bytes, "LeaseRequest.credential at byte " + std::to_string(credential_at) +
                                ": length 4097 exceeds the limit");
  }
  SECTION("worker addresses: 4 KiB each") {
    CHECK_THROWS_AS(encode(ExecutorWelcome{Errc::ok, "", {blob(4097, 0)}}), Error);
  }
  SECTION("a forged length over the limit is refused by the decoder") {
    auto bytes = encode(ExecutorOutput{1, Stream::out, ""});
    set_u32(bytes, 17, (1 << 20) + 1);
    bytes.resize(bytes.size() + (1 << 20) + 1, std::byte{'a'});
    set_body_length(bytes);
    require_rejected(bytes, "ExecutorOutput.data at byte 17: length 1048577 exceeds the limit");
  }
}

TEST_CASE("Bad enum and boolean values are rejected", "[wire][messages]") {
  SECTION("Errc") {
    auto bytes = encode(RegisterReply{Errc::ok, "", 1});
    for (const uint32_t value : {13U, 99U, 0xFFFFFFFFU}) {
      set_u32(bytes, 8, value);
      require_rejected(bytes, "RegisterReply.status at byte 8: unknown value");
    }
    set_u32(bytes, 8, static_cast<uint32_t>(Errc::transport));
    CHECK(std::get<RegisterReply>(decode(bytes)).status == Errc::transport);
  }
  SECTION("SpawnKind") {
    SpawnRequest request;
    const auto good = encode(request);
    const size_t kind_at = 8 + 8 + (8 + 4 + 4 + 4 + 8 + 4 + 4 + 4 + 4 + 1 + 32) + 4 + 4;
    REQUIRE(good[kind_at] == std::byte{1});
    for (const int value : {0, 3, 255}) {
      auto bytes = good;
      bytes[kind_at] = static_cast<std::byte>(value);
      require_rejected(bytes, "SpawnRequest.kind at byte " + std::to_string(kind_at) +
                                  ": unknown value " + std::to_string(value));
    }
  }
  SECTION("OwnerProof") {
    const auto good = encode(TokenUpdate{});
    const size_t proof_at = 8 + (8 + 4 + 4 + 4 + 8 + 4 + 4 + 4 + 4);
    REQUIRE(good[proof_at] == std::byte{0});
    auto bytes = good;
    bytes[proof_at] = std::byte{3};
    require_rejected(bytes, "TokenUpdate.token.owner_proof at byte " + std::to_string(proof_at) + ": unknown value 3");
  }
  SECTION("Stream") {
    auto bytes = encode(ExecutorOutput{1, Stream::err, "x"});
    bytes[16] = std::byte{3};
    require_rejected(bytes, "ExecutorOutput.stream at byte 16: unknown value 3");
  }
  SECTION("bool") {
    auto bytes = encode(SpawnReply{});
    const size_t need_library_at = 8 + 8 + 4 + 4;
    bytes[need_library_at] = std::byte{2};
    require_rejected(bytes, "SpawnReply.need_library at byte 24: boolean is 2");
  }
}

TEST_CASE("Malformed name messages are rejected", "[wire][messages]") {
  SECTION("a service name longer than its limit, forged past the encoder") {
    auto bytes = encode(NameLookup{3, "bob", ""});
    const size_t service_at = 8 + 8 + 4 + 3;
    set_u32(bytes, service_at, 4097);
    bytes.resize(bytes.size() + 4097, std::byte{'s'});
    set_body_length(bytes);
    require_rejected(bytes, "NameLookup.service at byte " + std::to_string(service_at) +
                                ": length 4097 exceeds the limit");
  }
  SECTION("a reply with an unknown status") {
    auto bytes = encode(NameReply{3, Errc::ok, "", "port"});
    set_u32(bytes, 16, 200);
    require_rejected(bytes, "NameReply.status at byte 16: unknown value 200");
  }
  SECTION("a publication cut inside its port") {
    auto bytes = encode(NamePublish{3, "bob", "svc", "port"});
    bytes.resize(bytes.size() - 2);
    set_body_length(bytes);
    require_rejected(bytes, "NamePublish.port");
  }
  SECTION("an unpublication with trailing bytes") {
    auto bytes = encode(NameUnpublish{3, "bob", "svc", "port"});
    bytes.push_back(std::byte{0});
    set_body_length(bytes);
    require_rejected(bytes, "NameUnpublish.end");
  }
}

TEST_CASE("Random bytes decode canonically or throw, never crash", "[wire][messages]") {
  std::mt19937_64 random(20240611);
  std::uniform_int_distribution<int> byte(0, 255);
  auto random_bytes = [&](size_t size) {
    std::vector<std::byte> bytes(size);
    for (auto& b : bytes) b = static_cast<std::byte>(byte(random));
    return bytes;
  };
  const auto samples = sample_messages();

  SECTION("pure noise") {
    for (int i = 0; i < 2000; ++i) {
      require_decodes_canonically_or_throws(random_bytes(random() % 64));
    }
  }
  SECTION("valid header, random body") {
    for (int i = 0; i < 3000; ++i) {
      auto bytes = random_bytes(8 + random() % 80);
      bytes[0] = std::byte{'F'};
      bytes[1] = std::byte{'Y'};
      bytes[2] = std::byte{protocol_version};
      bytes[3] = static_cast<std::byte>(1 + random() % std::variant_size_v<Message>);
      set_body_length(bytes);
      require_decodes_canonically_or_throws(bytes);
    }
  }
  SECTION("mutated valid messages") {
    for (int i = 0; i < 3000; ++i) {
      auto bytes = encode(samples[random() % samples.size()]);
      for (int flips = 1 + random() % 4; flips > 0; --flips) {
        bytes[random() % bytes.size()] = static_cast<std::byte>(byte(random));
      }
      require_decodes_canonically_or_throws(bytes);
    }
  }
}
