#include "runtime/lease/token.hpp"

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <functional>

#include "runtime/common/error.hpp"

using ferry::Errc;
using ferry::Error;
using ferry::lease::Secret;
using ferry::lease::Token;
namespace fs = std::filesystem;

namespace {

constexpr uint64_t expiry = 1'700'000'000'000ULL;

Token signed_token(const Secret& secret) {
  Token token{.lease_id = 42,
              .spawner_id = "node-3",
              .cores = 4,
              .memory_mib = 2048,
              .expiry_unix_ms = expiry,
              .owner = "bob",
              .owner_uid = 1002,
              .owner_gid = 1002,
              .owner_user = "bob",
              .owner_proof = ferry::lease::OwnerProof::munge};
  sign(token, secret);
  return token;
}

Errc verify_error(const Token& token, const Secret& secret, uint64_t now_ms) {
  try {
    verify(token, secret, now_ms);
  } catch (const Error& error) {
    return error.code();
  }
  return Errc::ok;
}

/// A fresh directory under the system temporary directory, removed with its contents.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "ferry-token-test-XXXXXX").string();
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

void write_file(const std::string& path, const std::string& contents, mode_t mode) {
  std::ofstream(path, std::ios::binary) << contents;
  REQUIRE(chmod(path.c_str(), mode) == 0);
}

Errc load_error(const std::string& path) {
  try {
    Secret::load(path);
  } catch (const Error& error) {
    return error.code();
  }
  return Errc::ok;
}

}  // namespace

TEST_CASE("A signed token verifies until its expiry", "[lease][token]") {
  const Secret secret = Secret::generate();
  const Token token = signed_token(secret);
  CHECK(token.mac != ferry::lease::Mac{});
  CHECK_NOTHROW(verify(token, secret, expiry - 1));
  CHECK(verify_error(token, secret, expiry) == Errc::expired);
  CHECK(verify_error(token, secret, expiry + 60'000) == Errc::expired);
}

TEST_CASE("Signing is deterministic", "[lease][token]") {
  const Secret secret = Secret::generate();
  CHECK(signed_token(secret).mac == signed_token(secret).mac);
}

TEST_CASE("Tampering with any field makes the token unauthorized", "[lease][token]") {
  const Secret secret = Secret::generate();
  const std::vector<std::pair<std::string, std::function<void(Token&)>>> tamperings = {
      {"lease_id", [](Token& t) { t.lease_id += 1; }},
      {"spawner_id", [](Token& t) { t.spawner_id = "node-4"; }},
      {"cores", [](Token& t) { t.cores = 64; }},
      {"memory_mib", [](Token& t) { t.memory_mib += 1; }},
      {"expiry_unix_ms", [](Token& t) { t.expiry_unix_ms += 3'600'000; }},
      {"owner", [](Token& t) { t.owner = "mallory"; }},
      {"owner_uid", [](Token& t) { t.owner_uid = 0; }},
      {"owner_gid", [](Token& t) { t.owner_gid = 0; }},
      {"owner_user", [](Token& t) { t.owner_user = "root"; }},
      {"owner_proof", [](Token& t) { t.owner_proof = ferry::lease::OwnerProof::claimed; }},
      {"mac", [](Token& t) { t.mac[31] ^= 0x01; }},
      {"field boundary",
       [](Token& t) {
         t.spawner_id += "b";
         t.owner = "ob";
       }},
  };
  for (const auto& [name, tamper] : tamperings) {
    INFO(name);
    Token token = signed_token(secret);
    tamper(token);
    CHECK(verify_error(token, secret, expiry - 1) == Errc::unauthorized);
  }
}

TEST_CASE("A token does not verify under another secret", "[lease][token]") {
  const Token token = signed_token(Secret::generate());
  CHECK(verify_error(token, Secret::generate(), expiry - 1) == Errc::unauthorized);
}

TEST_CASE("A forged token is unauthorized even when expired", "[lease][token]") {
  Token token = signed_token(Secret::generate());
  token.mac = {};
  CHECK(verify_error(token, Secret::generate(), expiry + 1) == Errc::unauthorized);
}

TEST_CASE("now_unix_ms is the wall clock in milliseconds", "[lease][token]") {
  const uint64_t now = ferry::lease::now_unix_ms();
  CHECK(now > 1'600'000'000'000ULL);
  CHECK(now < 4'000'000'000'000ULL);
}

TEST_CASE("Generated secrets differ", "[lease][secret]") {
  CHECK(Secret::generate().bytes() != Secret::generate().bytes());
}

TEST_CASE("Secret files: permissions", "[lease][secret]") {
  const TempDir dir;
  const std::string path = dir.file("secret");
  const std::string raw(32, 'k');

  SECTION("0600 is accepted") {
    write_file(path, raw, 0600);
    CHECK(Secret::load(path).bytes()[0] == 'k');
  }
  SECTION("0400 is accepted") {
    write_file(path, raw, 0400);
    CHECK_NOTHROW(Secret::load(path));
  }
  for (const mode_t mode : {0644, 0640, 0604, 0660, 0602}) {
    DYNAMIC_SECTION("mode 0" << std::oct << mode << " is refused") {
      write_file(path, raw, mode);
      CHECK(load_error(path) == Errc::unauthorized);
      CHECK_THROWS_WITH(Secret::load(path), Catch::Matchers::Contains("chmod 600 " + path));
    }
  }
}

TEST_CASE("Secret files: contents", "[lease][secret]") {
  const TempDir dir;
  const std::string path = dir.file("secret");
  const std::string hex = "000102030405060708090a0b0c0d0e0f101112131415161718191A1B1C1D1E1F";

  SECTION("64 hex digits, with or without a newline") {
    for (const std::string& contents : {hex, hex + "\n"}) {
      write_file(path, contents, 0600);
      const Secret secret = Secret::load(path);
      for (size_t i = 0; i < Secret::size; ++i) CHECK(secret.bytes()[i] == i);
    }
  }
  SECTION("wrong sizes and malformed hex are refused") {
    for (const std::string& contents :
         {std::string(), std::string(31, 'k'), std::string(33, 'k'), std::string(32, 'k') + "\n",
          hex.substr(0, 63), hex + "0", hex + "\n\n", hex + " ", "g" + hex.substr(1),
          std::string(1000, 'a')}) {
      INFO("contents of " << contents.size() << " bytes");
      write_file(path, contents, 0600);
      CHECK(load_error(path) == Errc::invalid_argument);
    }
  }
  SECTION("a missing file is not_found") {
    CHECK(load_error(dir.file("absent")) == Errc::not_found);
  }
  SECTION("a directory is refused") {
    REQUIRE(mkdir(dir.file("sub").c_str(), 0700) == 0);
    CHECK(load_error(dir.file("sub")) == Errc::invalid_argument);
  }
}

TEST_CASE("Secret save and load round-trip with mode 0600", "[lease][secret]") {
  const TempDir dir;
  const std::string path = dir.file("secret");
  write_file(path, "old and readable", 0644);

  const Secret secret = Secret::generate();
  secret.save(path);
  CHECK(Secret::load(path).bytes() == secret.bytes());
  struct stat status {};
  REQUIRE(stat(path.c_str(), &status) == 0);
  CHECK((status.st_mode & 07777) == 0600);
  CHECK(status.st_size == 65);
  CHECK(std::distance(fs::directory_iterator(dir.file("")), fs::directory_iterator()) == 1);

  const Token token = signed_token(secret);
  CHECK_NOTHROW(verify(token, Secret::load(path), expiry - 1));
}

TEST_CASE("Secret save into a missing directory fails cleanly", "[lease][secret]") {
  const TempDir dir;
  try {
    Secret::generate().save(dir.file("missing/secret"));
    FAIL("saved into a missing directory");
  } catch (const Error& error) {
    CHECK(error.code() == Errc::system);
  }
}
