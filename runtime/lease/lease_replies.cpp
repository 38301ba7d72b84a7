#include "runtime/lease/lease_replies.hpp"

namespace ferry::lease {

namespace {
template <class Action>
wire::LeaseReply reply_with(uint64_t request_id, Action&& action) {
  wire::LeaseReply reply;
  reply.request_id = request_id;
  try {
    const LeaseRecord& lease = action();
    reply.token = lease.token;
    reply.spawner_address = lease.spawner_address;
  } catch (const Error& error) {
    reply.status = error.code();
    reply.error = error.what();
  }
  return reply;
}
}  // namespace

wire::LeaseReply answer_lease_request(LeaseTable& table, const OwnerCheck& check, const wire::LeaseRequest& request,
                                      uint64_t now_ms) {
  return reply_with(request.request_id, [&]() -> const LeaseRecord& {
    const OwnerIdentity owner = establish_owner(check, request);
    return table.grant(request.owner, request.cores, request.memory_mib, request.duration_ms, now_ms, request.placement,
                       owner);
  });
}

wire::LeaseReply answer_lease_renew(LeaseTable& table, const wire::LeaseRenew& request, uint64_t now_ms) {
  return reply_with(request.request_id, [&]() -> const LeaseRecord& {
    return table.renew(request.lease_id, request.duration_ms, now_ms, request.proof);
  });
}

}  // namespace ferry::lease
