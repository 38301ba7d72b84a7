#pragma once
// The resource manager: registry of spawners, lease grant/renew/release/expiry,
// accounting. Off the invocation path; it sleeps until a message or a timer wakes it.

#include <atomic>
#include <memory>
#include <string>
#include <set>
#include <unordered_map>
#include <utility>
#include <vector>

#include "runtime/common/event_loop.hpp"
#include "runtime/lease/lease_table.hpp"
#include "runtime/manager/lease_store.hpp"
#include "runtime/manager/name_table.hpp"
#include "runtime/manager/settings.hpp"
#include "runtime/ucx/endpoint.hpp"
#include "runtime/ucx/listener.hpp"
#include "runtime/wire/control_channel.hpp"
#include "runtime/wire/silent_connections.hpp"

namespace ferry::manager {

class Manager {
 public:
  /// Binds the listener; address() is valid once this returns.
  explicit Manager(Settings settings);
  Manager(const Manager&) = delete;
  Manager& operator=(const Manager&) = delete;
  ~Manager();

  const ucx::SocketAddress& address() const noexcept { return listener_->address(); }
  /// Serves until stop().
  void run();
  /// Makes run() return; safe from any thread.
  void stop() { loop_.stop(); }
  /// Spawners registered now; safe from any thread.
  size_t registered_spawners() const noexcept { return registered_spawners_.load(); }
  /// What `ferry status --json` shows, asked from another thread while run() runs.
  std::string status();

 private:
  struct Peer {
    std::unique_ptr<ucx::Endpoint> endpoint;
    std::string spawner_id;  // set when the peer is a spawner
    std::set<uint64_t> leases;  // granted over this connection; they end with it
    Clock::time_point last_heard;
    std::string departure = "connection lost";  // why a spawner that did not say it is leaving went
  };

  void accept(ucp_conn_request_h request);
  void forget_peer(ucp_ep_h handle);
  void handle(ucp_ep_h from, wire::Message&& message);
  void on_register(ucp_ep_h from, const wire::RegisterSpawner& message);
  void on_spawner_leaving(ucp_ep_h from, const wire::SpawnerLeaving& message);
  void take_back_leases(ucp_ep_h from, const wire::RegisterSpawner& message);
  void on_lease_request(ucp_ep_h from, const wire::LeaseRequest& message);
  void remember_lease(Peer& peer, uint64_t lease_id);
  void on_lease_renew(ucp_ep_h from, const wire::LeaseRenew& message);
  void on_lease_release(ucp_ep_h from, const wire::LeaseRelease& message);
  void on_status(ucp_ep_h from, const wire::StatusRequest& message);
  std::string status_json() const;
  void on_name_publish(ucp_ep_h from, const wire::NamePublish& message);
  void on_name_lookup(ucp_ep_h from, const wire::NameLookup& message);
  void on_name_unpublish(ucp_ep_h from, const wire::NameUnpublish& message);
  void end_lease(uint64_t lease_id, lease::LeaseState state, const std::string& reason);
  /// Puts back the active leases of the state file, if there is one.
  void restore_leases();
  /// Writes an active lease (and the next id) to the state file before anyone hears of it.
  void keep(uint64_t lease_id);
  void keep_or_warn(uint64_t lease_id) noexcept;
  void forget_or_warn(uint64_t lease_id) noexcept;
  void check_spawners_alive();
  void expire_leases();
  Peer* find_peer(ucp_ep_h handle);
  /// Answers the lease requests held until a spawner registered (or the wait ran out).
  void answer_held_lease_requests();
  ucp_ep_h spawner_endpoint(const std::string& spawner_id) const;

  Settings settings_;
  EventLoop loop_;
  std::shared_ptr<ucx::Context> context_;
  std::shared_ptr<ucx::Worker> worker_;
  std::unique_ptr<wire::ControlChannel> channel_;
  std::unique_ptr<ucx::Listener> listener_;
  std::unordered_map<ucp_ep_h, Peer> peers_;
  wire::SilentConnections silent_;
  lease::LeaseTable table_;
  std::unique_ptr<LeaseStore> store_;
  NameTable names_;
  std::atomic<size_t> registered_spawners_{0};
  Clock::time_point started_ = Clock::now();
  std::vector<std::pair<ucp_ep_h, wire::LeaseRequest>> held_lease_requests_;
};

}  // namespace ferry::manager
