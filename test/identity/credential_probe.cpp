// Sends one lease request to a manager with a credential chosen to test how the manager
// proves owners, and prints the reply: "granted uid=U gid=G user=NAME" or
// "refused: ERROR". Credentials come from the munged that FERRY_MUNGE_SOCKET names.
//
//   credential_probe MANAGER CASE
//   CASE: valid | none | claims-root | other-request | expired | replayed
#include <munge.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "runtime/lease/lease_owner.hpp"
#include "runtime/lease/munge_credential.hpp"
#include "test/integration/raw_peer.hpp"

namespace {

using namespace ferry;

std::string credential_with_ttl(const std::string& payload, int ttl_s) {
  munge_ctx_t context = munge_ctx_create();
  const std::string socket = lease::munge_socket_path("");
  if (!socket.empty()) munge_ctx_set(context, MUNGE_OPT_SOCKET, socket.c_str());
  munge_ctx_set(context, MUNGE_OPT_TTL, ttl_s);
  char* credential = nullptr;
  const munge_err_t status = munge_encode(&credential, context, payload.data(), static_cast<int>(payload.size()));
  munge_ctx_destroy(context);
  if (status != EMUNGE_SUCCESS) {
    std::fprintf(stderr, "munge_encode: %s\n", munge_strerror(status));
    std::exit(2);
  }
  std::string text = credential;
  std::free(credential);
  return text;
}

void print_reply(const std::optional<wire::LeaseReply>& reply) {
  if (!reply) {
    std::printf("no reply\n");
  } else if (reply->status != Errc::ok) {
    std::printf("refused: %s\n", reply->error.c_str());
  } else {
    std::printf("granted uid=%u gid=%u user=%s\n", reply->token.owner_uid, reply->token.owner_gid,
                reply->token.owner_user.c_str());
  }
  std::fflush(stdout);
}

std::optional<wire::LeaseReply> ask(test::RawPeer& peer, const std::string& manager, const wire::LeaseRequest& request) {
  peer.send(manager, request);
  return peer.await<wire::LeaseReply>(request.request_id, std::chrono::seconds(10));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: credential_probe MANAGER valid|none|claims-root|other-request|expired|replayed\n");
    return 2;
  }
  const std::string manager = argv[1];
  const std::string which = argv[2];
  test::RawPeer peer;
  wire::LeaseRequest request{peer.next_id(), "probe:" + std::to_string(::getpid()), 1, 64, 60'000, ""};
  request.claimed_uid = static_cast<uint32_t>(::geteuid());
  request.claimed_gid = static_cast<uint32_t>(::getegid());
  request.claimed_user = "probe";
  const std::string payload = lease::lease_request_payload(request);
  if (which == "valid" || which == "replayed") {
    request.credential = credential_with_ttl(payload, 60);
  } else if (which == "claims-root") {
    request.claimed_uid = 0;
    request.claimed_gid = 0;
    request.claimed_user = "root";
    request.credential = credential_with_ttl(lease::lease_request_payload(request), 60);
  } else if (which == "other-request") {
    request.credential = credential_with_ttl(payload, 60);
    request.cores = 2;
  } else if (which == "expired") {
    request.credential = credential_with_ttl(payload, 1);
    std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  } else if (which != "none") {
    std::fprintf(stderr, "credential_probe: unknown case %s\n", which.c_str());
    return 2;
  }
  print_reply(ask(peer, manager, request));
  if (which == "replayed") print_reply(ask(peer, manager, request));
  return 0;
}
