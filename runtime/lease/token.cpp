#include "runtime/lease/token.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <chrono>
#include <string_view>
#include <vector>

#include "runtime/common/error.hpp"
#include "runtime/wire/codec.hpp"

namespace ferry::lease {
namespace {

// Keeps a token's MAC from ever being valid for some other message signed with the secret.
constexpr std::string_view mac_domain = "ferry lease token v2";

std::vector<std::byte> signed_bytes(const Token& token) {
  wire::Writer writer;
  writer.string(mac_domain);
  writer.u64(token.lease_id);
  writer.string(token.spawner_id);
  writer.u32(token.cores);
  writer.u32(token.memory_mib);
  writer.u64(token.expiry_unix_ms);
  writer.string(token.owner);
  writer.u32(token.owner_uid);
  writer.u32(token.owner_gid);
  writer.string(token.owner_user);
  writer.u8(static_cast<uint8_t>(token.owner_proof));
  return writer.take();
}

Mac compute_mac(const Token& token, const Secret& secret) {
  const std::vector<std::byte> data = signed_bytes(token);
  Mac mac{};
  unsigned int length = 0;
  const unsigned char* result =
      HMAC(EVP_sha256(), secret.bytes().data(), static_cast<int>(secret.bytes().size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac.data(), &length);
  if (result == nullptr || length != mac.size()) throw Error(Errc::system, "HMAC-SHA256 failed");
  return mac;
}

}  // namespace

uint64_t now_unix_ms() {
  using namespace std::chrono;
  return static_cast<uint64_t>(
      duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count());
}

void sign(Token& token, const Secret& secret) { token.mac = compute_mac(token, secret); }

void verify(const Token& token, const Secret& secret, uint64_t now_ms) {
  const Mac expected = compute_mac(token, secret);
  if (CRYPTO_memcmp(expected.data(), token.mac.data(), expected.size()) != 0) {
    throw Error(Errc::unauthorized,
                "lease " + std::to_string(token.lease_id) + ": token signature does not verify");
  }
  if (now_ms >= token.expiry_unix_ms) {
    throw Error(Errc::expired, "lease " + std::to_string(token.lease_id) + " expired " +
                                   std::to_string(now_ms - token.expiry_unix_ms) + " ms ago");
  }
}

}  // namespace ferry::lease
