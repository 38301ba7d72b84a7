// Decodes a LeaseReply and verifies its token under a fixed secret: verification may only
// fail with unauthorized or expired, and the same token re-signed must verify.

#include <unistd.h>

#include <cstdlib>
#include <string>

#include "runtime/lease/token.hpp"
#include "runtime/wire/messages.hpp"

namespace {

using ferry::lease::Secret;

// Secret has no constructor from bytes, so the fixed secret goes through a 0600 file.
Secret fixed_secret() {
  char path[] = "/tmp/ferry-token-fuzzer-XXXXXX";
  const int fd = mkstemp(path);
  const std::string bytes(Secret::size, 'F');
  if (fd < 0 || write(fd, bytes.data(), bytes.size()) != static_cast<ssize_t>(bytes.size())) {
    std::abort();
  }
  close(fd);
  Secret secret = Secret::load(path);
  unlink(path);
  return secret;
}

void verify_or_refuse(const ferry::lease::Token& token, const Secret& secret, uint64_t now_ms) {
  try {
    verify(token, secret, now_ms);
  } catch (const ferry::Error& error) {
    if (error.code() != ferry::Errc::unauthorized && error.code() != ferry::Errc::expired) {
      std::abort();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Secret secret = fixed_secret();
  ferry::wire::Message message;
  try {
    message = ferry::wire::decode({reinterpret_cast<const std::byte*>(data), size});
  } catch (const ferry::Error&) {
    return 0;
  }
  const auto* reply = std::get_if<ferry::wire::LeaseReply>(&message);
  if (reply == nullptr) return 0;

  ferry::lease::Token token = reply->token;
  verify_or_refuse(token, secret, token.expiry_unix_ms / 2);
  verify_or_refuse(token, secret, token.expiry_unix_ms);
  sign(token, secret);
  if (token.expiry_unix_ms > 0) verify(token, secret, token.expiry_unix_ms - 1);
  return 0;
}
