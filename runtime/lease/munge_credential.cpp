#include "runtime/lease/munge_credential.hpp"

#include <munge.h>

#include <cstdlib>
#include <memory>

#include "runtime/common/error.hpp"

namespace ferry::lease {
namespace {

struct ContextDeleter {
  void operator()(munge_ctx_t context) const noexcept { munge_ctx_destroy(context); }
};
using Context = std::unique_ptr<std::remove_pointer_t<munge_ctx_t>, ContextDeleter>;

struct FreeDeleter {
  void operator()(void* memory) const noexcept { std::free(memory); }
};

Context make_context(const std::string& socket) {
  Context context(munge_ctx_create());
  if (!context) throw Error(Errc::system, "munge_ctx_create failed");
  if (!socket.empty() && munge_ctx_set(context.get(), MUNGE_OPT_SOCKET, socket.c_str()) != EMUNGE_SUCCESS) {
    throw Error(Errc::invalid_argument, "munge socket " + socket + ": " + munge_ctx_strerror(context.get()));
  }
  return context;
}

std::string reason(munge_err_t status, munge_ctx_t context) {
  const char* detail = munge_ctx_strerror(context);
  return detail != nullptr ? detail : munge_strerror(status);
}

}  // namespace

std::string munge_socket_path(const std::string& configured) {
  if (!configured.empty()) return configured;
  const char* variable = std::getenv(munge_socket_variable);
  return variable != nullptr ? variable : "";
}

std::string encode_munge_credential(const std::string& socket, std::string_view payload) {
  const Context context = make_context(socket);
  char* raw = nullptr;
  const munge_err_t status =
      munge_encode(&raw, context.get(), payload.data(), static_cast<int>(payload.size()));
  const std::unique_ptr<char, FreeDeleter> credential(raw);
  if (status != EMUNGE_SUCCESS) {
    throw Error(Errc::unauthorized, "cannot create a munge credential: " + reason(status, context.get()));
  }
  return credential.get();
}

MungeIdentity decode_munge_credential(const std::string& socket, const std::string& credential) {
  const Context context = make_context(socket);
  void* raw = nullptr;
  int length = 0;
  uid_t uid = 0;
  gid_t gid = 0;
  const munge_err_t status = munge_decode(credential.c_str(), context.get(), &raw, &length, &uid, &gid);
  const std::unique_ptr<void, FreeDeleter> payload(raw);
  if (status != EMUNGE_SUCCESS) {
    throw Error(Errc::unauthorized, "the munge credential is not valid: " + reason(status, context.get()));
  }
  MungeIdentity identity{uid, gid, {}};
  if (payload && length > 0) identity.payload.assign(static_cast<const char*>(payload.get()), static_cast<size_t>(length));
  return identity;
}

}  // namespace ferry::lease
