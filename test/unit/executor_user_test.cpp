#include "spawner/daemon/executor_user.hpp"

#include <pwd.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "runtime/common/error.hpp"

using ferry::Errc;
using ferry::Error;
using ferry::lease::OwnerProof;
using ferry::lease::Token;
using ferry::spawner::executor_identity;

namespace {

Token token_of(uint32_t uid, uint32_t gid, OwnerProof proof) {
  return Token{.lease_id = 7, .spawner_id = "node", .cores = 1, .memory_mib = 64, .expiry_unix_ms = 1, .owner = "s:1",
               .owner_uid = uid, .owner_gid = gid, .owner_user = "someone", .owner_proof = proof, .mac = {}};
}

std::string refusal(const Token& token, uint32_t spawner_uid, bool allow_root = false) {
  try {
    executor_identity(token, spawner_uid, allow_root);
  } catch (const Error& error) {
    CHECK(error.code() == Errc::unauthorized);
    return error.what();
  }
  return "";
}

}  // namespace

TEST_CASE("A lease without an owner uid is refused by every spawner", "[spawner][identity]") {
  const Token token = token_of(ferry::lease::no_id, ferry::lease::no_id, OwnerProof::none);
  CHECK_THAT(refusal(token, 0), Catch::Matchers::Contains("names no owner uid"));
  CHECK_THAT(refusal(token, 1000), Catch::Matchers::Contains("names no owner uid"));
}

TEST_CASE("A spawner run as an ordinary user serves only that user", "[spawner][identity]") {
  CHECK_FALSE(executor_identity(token_of(1000, 1000, OwnerProof::claimed), 1000, false).has_value());
  CHECK_FALSE(executor_identity(token_of(1000, 1000, OwnerProof::munge), 1000, false).has_value());
  CHECK_THAT(refusal(token_of(1001, 1001, OwnerProof::munge), 1000),
             Catch::Matchers::Contains("serves only that user's leases"));
  CHECK_THAT(refusal(token_of(0, 0, OwnerProof::munge), 1000), Catch::Matchers::Contains("runs as uid 1000"));
}

TEST_CASE("A spawner run as root runs nothing as root unless allowed", "[spawner][identity]") {
  CHECK_THAT(refusal(token_of(0, 0, OwnerProof::munge), 0), Catch::Matchers::Contains("--allow-root-owner"));
  CHECK_FALSE(executor_identity(token_of(0, 0, OwnerProof::munge), 0, true).has_value());
}

TEST_CASE("A spawner run as root switches only to proven, known users", "[spawner][identity]") {
  const passwd* nobody = ::getpwnam("nobody");
  REQUIRE(nobody != nullptr);
  CHECK_THAT(refusal(token_of(nobody->pw_uid, nobody->pw_gid, OwnerProof::claimed), 0),
             Catch::Matchers::Contains("claimed, not proven"));
  // No account has the largest uid below no_id on a test machine.
  CHECK_THAT(refusal(token_of(0xFFFFFFFE, 100, OwnerProof::munge), 0),
             Catch::Matchers::Contains("is not a user on this node"));
  const auto identity = executor_identity(token_of(nobody->pw_uid, nobody->pw_gid, OwnerProof::munge), 0, false);
  REQUIRE(identity.has_value());
  CHECK(identity->uid == nobody->pw_uid);
  CHECK(identity->gid == nobody->pw_gid);
  CHECK(std::find(identity->groups.begin(), identity->groups.end(), nobody->pw_gid) != identity->groups.end());
  const auto primary = executor_identity(token_of(nobody->pw_uid, ferry::lease::no_id, OwnerProof::munge), 0, false);
  REQUIRE(primary.has_value());
  CHECK(primary->gid == nobody->pw_gid);
}
