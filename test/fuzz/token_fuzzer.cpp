// Decodes a message that carries a lease token (LeaseReply, SpawnRequest, TokenUpdate) and
// verifies the token under a fixed secret: verification accepts exactly the tokens that
// secret signed, and only before their expiry; it refuses the others with unauthorized or
// expired, and a genuine MAC does not carry over to another lease.

#include <cstdlib>
#include <type_traits>

#include "runtime/lease/token.hpp"
#include "runtime/wire/messages.hpp"
#include "test/fuzz/fuzz_support.hpp"

namespace {

using ferry::Errc;
using ferry::lease::Secret;
using ferry::lease::Token;

const Token* token_in(const ferry::wire::Message& message) {
  return std::visit(
      [](const auto& body) -> const Token* {
        using Body = std::decay_t<decltype(body)>;
        if constexpr (requires { body.token; }) {
          static_assert(std::is_same_v<decltype(Body::token), Token>);
          return &body.token;
        } else {
          return nullptr;
        }
      },
      message);
}

Errc verification(const Token& token, const Secret& secret, uint64_t now_ms) {
  try {
    verify(token, secret, now_ms);
  } catch (const ferry::Error& error) {
    return error.code();
  }
  return Errc::ok;
}

void expect(Errc found, Errc expected) {
  if (found != expected) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Secret secret = ferry::fuzz::fixed_secret();
  const std::span<const std::byte> bytes(reinterpret_cast<const std::byte*>(data), size);
  const auto message = ferry::fuzz::decoded_or_refused(ferry::wire::decode, bytes);
  if (!message) return 0;
  const Token* token = token_in(*message);
  if (token == nullptr) return 0;

  Token genuine = *token;
  sign(genuine, secret);
  const bool signed_by_secret = genuine.mac == token->mac;
  const uint64_t expiry = token->expiry_unix_ms;
  if (expiry > 0) expect(verification(*token, secret, expiry - 1), signed_by_secret ? Errc::ok : Errc::unauthorized);
  expect(verification(*token, secret, expiry), signed_by_secret ? Errc::expired : Errc::unauthorized);

  Token other_lease = genuine;
  other_lease.lease_id ^= 1;
  expect(verification(other_lease, secret, 0), Errc::unauthorized);
  return 0;
}
