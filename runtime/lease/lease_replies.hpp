#pragma once
// Lease requests answered from a LeaseTable, shared by the manager and by a stand-alone
// spawner that grants leases on itself.

#include "runtime/lease/lease_owner.hpp"
#include "runtime/lease/lease_table.hpp"
#include "runtime/wire/messages.hpp"

namespace ferry::lease {

/// Grants the request to the owner `check` establishes, or answers with the error that
/// prevented it.
wire::LeaseReply answer_lease_request(LeaseTable& table, const OwnerCheck& check, const wire::LeaseRequest& request,
                                      uint64_t now_ms);
/// Renews the lease, or answers with the error that prevented it.
wire::LeaseReply answer_lease_renew(LeaseTable& table, const wire::LeaseRenew& request, uint64_t now_ms);

}  // namespace ferry::lease
