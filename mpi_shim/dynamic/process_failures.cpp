#include "mpi_shim/dynamic/process_failures.hpp"

#include <mpi.h>

#include <cstdio>
#include <map>
#include <string>
#include <unordered_map>

#include "mpi_shim/communicator.hpp"
#include "mpi_shim/dynamic/spawn_protocol.hpp"
#include "mpi_shim/dynamic/spawn_service.hpp"
#include "mpi_shim/errors.hpp"
#include "mpi_shim/transfer.hpp"
#include "mpi_shim/transport.hpp"
#include "mpi_shim/world.hpp"
#include "runtime/common/error.hpp"
#include "runtime/wire/codec.hpp"

namespace ferry::mpi {

namespace detail {
uint64_t failures_noted = 0;
bool failure_news_expected = false;
}  // namespace detail

namespace {

struct Failure {
  uint64_t mark = 0;  ///< failures_noted() right after it was noted
  std::string reason;
};
std::unordered_map<int, Failure> failures;

/// Notices travel on the spawn context with a sequence no spawn id takes.
constexpr ucp_tag_t notice_tag = internal_tag(0x7FFFFFU, max_ranks - 1, spawn_context);
constexpr size_t notice_capacity = 1 << 16;
constexpr size_t max_reason = 4096;

struct Listener {
  std::vector<std::byte> buffer = std::vector<std::byte>(notice_capacity);
  Transfer receive;
  void post() { receive = Transfer::receive(notice_tag, full_mask, buffer.data(), buffer.size()); }
};
std::unique_ptr<Listener> listener;

/// The processes the root of a spawn tells when one of its children fails.
struct WatchedSpawn {
  std::vector<int> parents;
  std::vector<int> children;
};
std::map<uint64_t, WatchedSpawn> watched;
/// Failures the service reported before their spawn was watched (it was still starting).
std::vector<ChildFailure> unclaimed;
bool taking = false;

/// Records that process `process` (a transport index) failed, for `reason`.
void note_failure(int process, const std::string& reason) {
  if (failures.contains(process)) return;
  failures.emplace(process, Failure{++detail::failures_noted, reason});
}

Bytes encode_notice(int failed, const std::string& reason) {
  wire::Writer out;
  out.bytes(transport().address_of(failed));
  out.string(reason.substr(0, max_reason));
  return out.take();
}

void take_notice(const Bytes& notice) {
  wire::Reader in(notice);
  in.set_context("failure notice");
  const Bytes address = in.bytes("address", notice_capacity);
  const std::string reason = in.string("reason", max_reason);
  in.expect_end();
  // Only a process this one talks to matters; a notice about any other changes nothing.
  const int process = transport().known_process(address);
  if (process >= 0 && address != transport().address()) note_failure(process, reason);
}

/// Tells each of `recipients` that `failed` failed, for `reason`.
void send_failure_notice(const std::vector<int>& recipients, int failed, const std::string& reason) {
  const Bytes notice = encode_notice(failed, reason);
  for (int recipient : recipients) {
    try {
      send_whole(recipient, notice_tag, notice);
    } catch (const std::exception& error) {
      std::fprintf(stderr, "ferry: rank %d: could not pass on a failure notice: %s\n", world().rank, error.what());
    }
  }
}

void report_child_failure(const ChildFailure& failure, const WatchedSpawn& spawn) {
  if (failure.child >= spawn.children.size()) return;
  const int child = spawn.children[failure.child];
  if (failures.contains(child)) return;
  std::fprintf(stderr, "ferry: rank %d: %s; the job goes on: the parents' intercommunicator returns errors\n",
               world().rank, failure.reason.c_str());
  note_failure(child, failure.reason);
  std::vector<int> recipients = spawn.parents;
  recipients.insert(recipients.end(), spawn.children.begin(), spawn.children.end());
  std::erase_if(recipients, [&](int process) { return process == child || failures.contains(process) ||
                                                       transport().address_of(process) == transport().address(); });
  send_failure_notice(recipients, child, failure.reason);
}

}  // namespace

int failure_code(int process, uint64_t since) {
  const auto found = failures.find(process);
  if (found == failures.end() || found->second.mark <= since) return MPI_SUCCESS;
  return explained_code(MPI_ERR_OTHER, "a process the operation needs has failed: " + found->second.reason);
}

int comm_failure_code(const Comm& comm, uint64_t since) {
  if (failures_noted() <= since) return MPI_SUCCESS;
  for (int process : comm.group.members) {
    if (const int code = failure_code(process, since); code != MPI_SUCCESS) return code;
  }
  if (!comm.inter()) return MPI_SUCCESS;
  for (int process : comm.remote->members) {
    if (const int code = failure_code(process, since); code != MPI_SUCCESS) return code;
  }
  return MPI_SUCCESS;
}

void expect_failure_news() {
  detail::failure_news_expected = true;
  if (listener) return;
  listener = std::make_unique<Listener>();
  listener->post();
}

void stop_failure_news() noexcept {
  detail::failure_news_expected = false;
  detail::failures_noted = 0;
  listener.reset();
  failures.clear();
  watched.clear();
  unclaimed.clear();
}

void watch_spawn(uint64_t spawn, std::vector<int> parents, std::vector<int> children) {
  const WatchedSpawn& entry = watched[spawn] = WatchedSpawn{std::move(parents), std::move(children)};
  std::erase_if(unclaimed, [&](const ChildFailure& failure) {
    if (failure.spawn != spawn) return false;
    report_child_failure(failure, entry);
    return true;
  });
}

void forget_spawn(uint64_t spawn) {
  watched.erase(spawn);
  std::erase_if(unclaimed, [&](const ChildFailure& failure) { return failure.spawn == spawn; });
}

void take_failure_news() {
  if (taking) return;  // sending a notice waits, and waiting brings us here again
  taking = true;
  try {
    while (listener && listener->receive.test()) {
      if (listener->receive.status() == UCS_OK) {
        try {
          take_notice(Bytes(listener->buffer.begin(), listener->buffer.begin() + ptrdiff_t(listener->receive.length())));
        } catch (const Error&) {
          // A malformed notice changes nothing.
        }
      }
      listener->post();
    }
    if (SpawnService::failures_waiting()) {
      for (ChildFailure& failure : SpawnService::instance().take_failures()) {
        const auto found = watched.find(failure.spawn);
        if (found == watched.end()) {
          unclaimed.push_back(std::move(failure));
        } else {
          report_child_failure(failure, found->second);
        }
      }
    }
  } catch (const std::exception& error) {
    std::fprintf(stderr, "ferry: rank %d: taking in a process failure: %s\n", world().rank, error.what());
  }
  taking = false;
}

}  // namespace ferry::mpi
