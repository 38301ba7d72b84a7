#pragma once
// The shim's UCX worker and its endpoints to every rank of the hybrid world, plus the one
// place where the shim waits (hot, warm or adaptive, from FERRY_MODE; by default chosen
// once the world is up, core_sharing.hpp).

#include <sched.h>
#include <ucp/api/ucp.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "mpi_shim/threads.hpp"
#include "runtime/ucx/context.hpp"
#include "runtime/ucx/endpoint.hpp"
#include "runtime/ucx/waiter.hpp"
#include "runtime/ucx/worker.hpp"

namespace ferry::mpi {

/// What a waiting thread lets the others have under MPI_THREAD_MULTIPLE: the shim's lock.
struct SharedShim {
  static constexpr bool shares = true;
  ShimUnlock release() const noexcept { return {}; }
};

class Transport {
 public:
  Transport(ucx::WaitMode mode, int world_size);
  ~Transport();

  ucx::Worker& worker() noexcept { return *worker_; }
  /// The mode the job asked for (WaitMode::automatic for the default).
  ucx::WaitMode mode() const noexcept { return mode_; }
  /// How this rank waits from now on.
  void set_waiting(ucx::WaitMode mode, bool shared_cores) noexcept { waiter_.set_mode(mode, shared_cores); }
  const ucx::Waiter& waiter() const noexcept { return waiter_; }
  /// This rank's address (peer_address.hpp): its worker's and its node.
  const std::vector<std::byte>& address() const noexcept { return address_; }

  /// Records the UCX worker address of every rank (index = world rank).
  void set_addresses(std::vector<std::vector<std::byte>> addresses);
  /// Records the address of process `index` (a rank of this world whose address was not known).
  void set_address(int index, std::vector<std::byte> address);
  /// The index of the process at `address`: a process of another world (spawned,
  /// connected) gets the next free index the first time it is seen.
  int process_of(const std::vector<std::byte>& address);
  /// The index of the process at `address` if it has one already, else -1.
  int known_process(const std::vector<std::byte>& address) const;
  /// The UCX worker address of process `index` (empty when unknown).
  const std::vector<std::byte>& address_of(int index) const { return addresses_[size_t(index)]; }
  /// The endpoint to process `index` (a world rank, or a process added by process_of),
  /// connected on first use.
  ucp_ep_h endpoint(int index);
  /// A separate endpoint to the worker at `address` that reports its peer's failure, for
  /// talking to processes that may be gone (the handshake of MPI_Comm_connect/_accept).
  std::unique_ptr<ucx::Endpoint> connect_tracked(std::span<const std::byte> address);

  /// Closes every endpoint at once and waits (briefly) until the peers have acknowledged
  /// the closes; the worker keeps answering its peers' closes until it is destroyed.
  void close_endpoints();

  /// One round of progress; true when something happened.
  bool progress() noexcept { return worker_->progress(); }
  /// One round of progress and of the background work (MPI_Test and friends).
  void poll() {
    progress();
    run_background();
  }
  /// A poll for the program (MPI_Test, MPI_Iprobe and friends) that found nothing. A
  /// program that polls in a loop holds its core like a spinning wait, so every 8th miss
  /// gives the CPU up (a program's polls are further apart than a wait's turns, and a yield
  /// with nothing else to run returns at once), and every miss on cores known to be shared.
  void missed() noexcept {
    if ((++misses_ & 7U) == 0 || waiter_.shared_cores()) {
      ShimUnlock unlock;
      sched_yield();
    }
  }
  /// Work to do at every turn of every wait: pending nonblocking collectives and
  /// buffered sends advance even while the caller waits for something else.
  void set_background(std::function<void()> work) { background_ = std::move(work); }
  void run_background() {
    if (background_) background_();
  }
  /// Progresses until done() holds, in the job's waiting mode, doing the background work
  /// at every turn. A failed peer does not end the wait: its owner ends the whole job.
  /// A template, so that waiting wraps nothing in a std::function (which allocates for
  /// a predicate with more than two captures).
  template <class Done>
  void wait_until(Done&& done) {
    wait_until(done, ferry::Deadline::never());
  }
  /// The same, bounded: false when `deadline` passed first.
  template <class Done>
  bool wait_until(Done&& done, ferry::Deadline deadline) {
    auto finished = [&] {
      run_background();
      return done();
    };
    if (must_share_while_waiting()) return waiter_.wait_until(finished, deadline, SharedShim{});
    return waiter_.wait_until(finished, deadline);
  }

 private:
  std::shared_ptr<ucx::Context> context_;
  std::shared_ptr<ucx::Worker> worker_;
  ucx::WaitMode mode_;
  ucx::Waiter waiter_;
  std::vector<std::vector<std::byte>> addresses_;
  std::unordered_map<std::string, int> index_of_address_;
  std::vector<std::unique_ptr<ucx::Endpoint>> endpoints_;
  std::function<void()> background_;
  uint32_t misses_ = 0;
  uint64_t node_;
  std::vector<std::byte> address_;  ///< made once: callers compare it with peers' in loops
};

/// The process's transport; only valid once the hybrid world is up.
Transport& transport() noexcept;
void install_transport(std::unique_ptr<Transport> transport);
void remove_transport() noexcept;

}  // namespace ferry::mpi
