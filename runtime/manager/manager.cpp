#include "runtime/manager/manager.hpp"

#include <nlohmann/json.hpp>

#include <future>
#include <memory>

#include "runtime/common/log.hpp"
#include "runtime/common/overloaded.hpp"
#include "runtime/lease/lease_replies.hpp"
#include "runtime/ucx/connection_limit.hpp"

namespace ferry::manager {

namespace {

/// The reply to a name request: what `answer` returns, or the error it throws.
template <class Answer>
wire::NameReply name_reply(uint64_t request_id, Answer&& answer) {
  wire::NameReply reply{request_id, Errc::ok, {}, {}};
  try {
    reply.port = answer();
  } catch (const Error& error) {
    reply.status = error.code();
    reply.error = error.what();
  }
  return reply;
}

}  // namespace

Manager::Manager(Settings settings)
    : settings_(std::move(settings)),
      context_((ucx::allow_many_connections(), ucx::Context::create(false, settings_.same_user_peers))),
      worker_(ucx::Worker::create(context_)),
      table_(settings_.secret) {
  restore_leases();
  channel_ = std::make_unique<wire::ControlChannel>(
      worker_, [this](ucp_ep_h from, wire::Message&& message) { handle(from, std::move(message)); });
  listener_ = ucx::Listener::create(worker_, settings_.listen,
                                    [this](ucp_conn_request_h request) { accept(request); });
  loop_.attach(*worker_, [this] { return channel_->dispatch() > 0; });
  loop_.every(settings_.heartbeat, [this] { check_spawners_alive(); });
  loop_.every(std::chrono::milliseconds(50), [this] { expire_leases(); });
  loop_.every(std::max(settings_.silent_connection_timeout / 4, std::chrono::milliseconds(10)),
              [this] {
    silent_.close_silent_for(settings_.silent_connection_timeout, [this](ucp_ep_h handle) { forget_peer(handle); });
  });
  spdlog::info("manager listening on {}; lease owners: {}", listener_->address().to_string(),
               settings_.owner_check.authentication == lease::Authentication::munge
                   ? "proven by munge"
                   : "as the clients claim them (no authentication)");
}

void Manager::restore_leases() {
  if (settings_.state_file.empty()) return;
  store_ = std::make_unique<LeaseStore>(settings_.state_file);
  const uint64_t now = lease::now_unix_ms();
  size_t restored = 0;
  lease::Accounting ended = store_->ended_accounting();
  for (const lease::LeaseRecord& lease : store_->active_leases()) {
    if (lease.token.expiry_unix_ms <= now) {  // expired while no manager ran: billed to its expiry
      lease::LeaseRecord expired = lease;
      expired.state = lease::LeaseState::expired;
      expired.ended_unix_ms = lease.token.expiry_unix_ms;
      ended.add(expired, now);
      store_->forget(lease.token.lease_id);
      continue;
    }
    table_.restore(lease);
    ++restored;
  }
  table_.restore_ended_accounting(ended);
  store_->keep_ended_accounting(ended);
  table_.reserve_ids_through(store_->next_lease_id() - 1);
  spdlog::info("{} active lease(s) restored from {}; the next lease is {}", restored, settings_.state_file,
               table_.next_lease_id());
}

void Manager::keep_or_warn(uint64_t lease_id) noexcept {
  try {
    keep(lease_id);
  } catch (const std::exception& error) {
    spdlog::error("lease {} could not be written to {}: {}", lease_id, settings_.state_file, error.what());
  }
}

void Manager::forget_or_warn(uint64_t lease_id) noexcept {
  if (!store_) return;
  try {
    store_->forget(lease_id);
    store_->keep_ended_accounting(table_.ended_accounting());
  } catch (const std::exception& error) {
    spdlog::error("ended lease {} could not be removed from {}: {}", lease_id, settings_.state_file, error.what());
  }
}

void Manager::keep(uint64_t lease_id) {
  if (!store_) return;
  if (const lease::LeaseRecord* lease = table_.find(lease_id); lease != nullptr && lease->state == lease::LeaseState::active) {
    store_->keep(*lease);
  } else {  // usage reported after its lease ended
    store_->keep_ended_accounting(table_.ended_accounting());
  }
  store_->set_next_lease_id(table_.next_lease_id());
}

Manager::~Manager() {
  listener_.reset();
  peers_.clear();
  channel_.reset();
}

void Manager::run() { loop_.run(); }

void Manager::accept(ucp_conn_request_h request) {
  auto endpoint = ucx::Endpoint::accept(worker_, request);
  const ucp_ep_h handle = endpoint->raw();
  endpoint->on_failure([this, handle](ucs_status_t) { loop_.post([this, handle] { forget_peer(handle); }); });
  peers_[handle] = Peer{std::move(endpoint), {}, {}, Clock::now()};
  silent_.accepted(handle);
}

Manager::Peer* Manager::find_peer(ucp_ep_h handle) {
  const auto found = peers_.find(handle);
  return found == peers_.end() ? nullptr : &found->second;
}

// A lost spawner takes its leases with it; a lost client gives its leases back, and the
// MPI names it published go.
void Manager::forget_peer(ucp_ep_h handle) {
  const auto found = peers_.find(handle);
  if (found == peers_.end()) return;
  Peer peer = std::move(found->second);
  peers_.erase(found);
  silent_.spoke(handle);
  std::erase_if(held_lease_requests_, [handle](const auto& held) { return held.first == handle; });
  if (!peer.spawner_id.empty()) {
    spdlog::info("spawner {} disconnected", peer.spawner_id);
    registered_spawners_ = table_.spawners().size() - 1;
    for (const uint64_t id : table_.remove_spawner(peer.spawner_id, lease::now_unix_ms(), peer.departure)) {
      forget_or_warn(id);
      spdlog::warn("lease {} revoked: spawner {} lost", id, peer.spawner_id);
    }
  }
  if (const size_t dropped = names_.drop(handle); dropped != 0) {
    spdlog::info("{} MPI name(s) dropped: their publisher disconnected", dropped);
  }
  for (const uint64_t id : peer.leases) {
    if (const lease::LeaseRecord* lease = table_.find(id); lease != nullptr && lease->state == lease::LeaseState::active) {
      end_lease(id, lease::LeaseState::released, "owner " + lease->token.owner + " disconnected");
    }
  }
}

void Manager::handle(ucp_ep_h from, wire::Message&& message) {
  if (Peer* peer = find_peer(from)) {
    peer->last_heard = Clock::now();
    silent_.spoke(from);
    if (!peer->spawner_id.empty() && table_.set_responding(peer->spawner_id, true)) {
      spdlog::info("spawner {} answers again; it takes new leases", peer->spawner_id);
    }
  }
  std::visit(Overloaded{
                 [&](const wire::RegisterSpawner& m) { on_register(from, m); },
                 [&](const wire::Heartbeat&) {},
                 [&](const wire::SpawnerLeaving& m) { on_spawner_leaving(from, m); },
                 [&](const wire::UsageReport& m) {
                   table_.add_usage(m.lease_id, m.usage);
                   keep_or_warn(m.lease_id);
                 },
                 [&](const wire::LeaseRequest& m) { on_lease_request(from, m); },
                 [&](const wire::LeaseRenew& m) { on_lease_renew(from, m); },
                 [&](const wire::LeaseRelease& m) { on_lease_release(from, m); },
                 [&](const wire::StatusRequest& m) { on_status(from, m); },
                 [&](const wire::NamePublish& m) { on_name_publish(from, m); },
                 [&](const wire::NameLookup& m) { on_name_lookup(from, m); },
                 [&](const wire::NameUnpublish& m) { on_name_unpublish(from, m); },
                 [&](const auto& other) {
                   spdlog::warn("manager: unexpected {} message ignored", wire::message_name(other));
                 },
             },
             message);
}

void Manager::on_register(ucp_ep_h from, const wire::RegisterSpawner& message) {
  Peer* peer = find_peer(from);
  wire::RegisterReply reply;
  if (peer == nullptr || message.spawner_id.empty() || message.cores == 0) {
    reply.status = Errc::invalid_argument;
    reply.error = "registration needs a connected spawner, an id and at least one core";
  } else {
    peer->spawner_id = message.spawner_id;
    lease::SpawnerRecord record{message.spawner_id, message.address, message.cores, message.memory_mib, 0, 0,
                                message.node};
    record.joined_unix_ms = lease::now_unix_ms();
    table_.add_spawner(record);
    registered_spawners_ = table_.spawners().size();
    reply.heartbeat_ms = static_cast<uint32_t>(settings_.heartbeat.count());
    table_.reserve_ids_through(message.highest_lease_id);
    take_back_leases(from, message);
    spdlog::info("spawner {} registered at {} on node {} with {} cores, {} MiB", message.spawner_id,
                 message.address, message.node, message.cores, message.memory_mib);
  }
  channel_->send(from, reply);
  if (reply.status == Errc::ok) answer_held_lease_requests();
}

// The spawner's executors end by themselves (it ends them as it goes); their leases end
// here now, so that no client is given them and `ferry status` says why.
void Manager::on_spawner_leaving(ucp_ep_h from, const wire::SpawnerLeaving& message) {
  Peer* peer = find_peer(from);
  if (peer == nullptr || peer->spawner_id.empty() || peer->spawner_id != message.spawner_id) {
    spdlog::warn("manager: SpawnerLeaving for {} from a connection that is not that spawner; ignored",
                 message.spawner_id);
    return;
  }
  const std::string reason = message.reason.empty() ? "the spawner is stopping" : message.reason;
  spdlog::warn("spawner {} is leaving: {}", message.spawner_id, reason);
  for (const uint64_t id : table_.spawner_leaving(message.spawner_id, reason, lease::now_unix_ms())) {
    forget_or_warn(id);
    spdlog::info("lease {} ended: {}", id, reason);
  }
}

// A spawner that registers again (after it or this manager restarted, or after the
// connection broke) names the leases it serves: valid ones unknown here are leases this
// manager granted before it restarted, and are active again; ended ones end there too.
void Manager::take_back_leases(ucp_ep_h from, const wire::RegisterSpawner& message) {
  const uint64_t now = lease::now_unix_ms();
  for (const lease::Token& token : message.leases) {
    switch (table_.adopt(token, message.spawner_id, now)) {
      case lease::Adoption::adopted:
        keep_or_warn(token.lease_id);
        spdlog::info("lease {} of {} on spawner {} is active again", token.lease_id, token.owner, message.spawner_id);
        break;
      case lease::Adoption::known: break;
      case lease::Adoption::ended:
        channel_->send(from, wire::LeaseRevoke{token.lease_id, "lease " + std::to_string(token.lease_id) +
                                                                   " ended while its spawner was away"});
        break;
      case lease::Adoption::refused:
        spdlog::warn("spawner {} serves lease {}, whose token is not valid here; ending it", message.spawner_id,
                     token.lease_id);
        channel_->send(from, wire::LeaseRevoke{token.lease_id, "its token is not valid for this manager"});
        break;
    }
  }
}

void Manager::on_lease_request(ucp_ep_h from, const wire::LeaseRequest& message) {
  const Clock::time_point wait_ends = started_ + settings_.first_spawner_wait;
  if (table_.spawners().empty() && Clock::now() < wait_ends) {
    if (held_lease_requests_.empty()) loop_.after(wait_ends - Clock::now(), [this] { answer_held_lease_requests(); });
    held_lease_requests_.emplace_back(from, message);
    return;
  }
  wire::LeaseReply reply = lease::answer_lease_request(table_, settings_.owner_check, message, lease::now_unix_ms());
  if (reply.status == Errc::ok) {
    try {
      keep(reply.token.lease_id);
    } catch (const Error& error) {  // a lease that would not survive a restart is not granted
      table_.end(reply.token.lease_id, lease::LeaseState::revoked, "the lease store failed", lease::now_unix_ms());
      spdlog::error("lease {} not granted: {}", reply.token.lease_id, error.what());
      wire::LeaseReply refusal;
      refusal.request_id = message.request_id;
      refusal.status = Errc::system;
      refusal.error = std::string("the manager cannot keep its leases: ") + error.what();
      channel_->send(from, refusal);
      return;
    }
    if (Peer* peer = find_peer(from)) remember_lease(*peer, reply.token.lease_id);
    spdlog::info("lease {} granted to {} (user {}, uid {}): {} cores on {}", reply.token.lease_id, message.owner,
                 reply.token.owner_user, reply.token.owner_uid, message.cores, reply.token.spawner_id);
  } else if (reply.status == Errc::unauthorized) {
    spdlog::warn("lease request of {} refused: {}", message.owner, reply.error);
  }
  channel_->send(from, reply);
}

void Manager::answer_held_lease_requests() {
  auto held = std::move(held_lease_requests_);
  held_lease_requests_.clear();
  for (const auto& [from, request] : held) on_lease_request(from, request);
}

// A connection that leases again and again keeps only the ids of leases still active.
void Manager::remember_lease(Peer& peer, uint64_t lease_id) {
  if (peer.leases.size() >= 64) {
    std::erase_if(peer.leases, [&](uint64_t id) {
      const lease::LeaseRecord* lease = table_.find(id);
      return lease == nullptr || lease->state != lease::LeaseState::active;
    });
  }
  peer.leases.insert(lease_id);
}

void Manager::on_lease_renew(ucp_ep_h from, const wire::LeaseRenew& message) {
  const wire::LeaseReply reply = lease::answer_lease_renew(table_, message, lease::now_unix_ms());
  if (reply.status == Errc::ok) keep_or_warn(message.lease_id);
  // After a restart of this manager, the owner renews over a new connection: it holds the lease now.
  if (Peer* peer = find_peer(from); peer != nullptr && reply.status == Errc::ok) remember_lease(*peer, message.lease_id);
  channel_->send(from, reply);
}

void Manager::on_lease_release(ucp_ep_h from, const wire::LeaseRelease& message) {
  if (!table_.held_with(message.lease_id, message.proof)) {
    spdlog::warn("a release of lease {} without its current token ignored (from {})", message.lease_id,
                 static_cast<const void*>(from));
    return;
  }
  end_lease(message.lease_id, lease::LeaseState::released, "released by its owner");
}

void Manager::on_status(ucp_ep_h from, const wire::StatusRequest& message) {
  channel_->send(from, wire::StatusReply{message.request_id, status_json()});
}

std::string Manager::status() {
  auto answer = std::make_shared<std::promise<std::string>>();
  std::future<std::string> status = answer->get_future();
  loop_.post([this, answer] { answer->set_value(status_json()); });
  if (status.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
    throw Error(Errc::timeout, "the manager did not answer a status request within 10 s");
  }
  return status.get();
}

std::string Manager::status_json() const {
  const uint64_t now = lease::now_unix_ms();
  nlohmann::json status = table_.to_json(now);
  const lease::Accounting total = table_.accounting(now);
  status["manager"] = {{"connections", peers_.size()},
                       {"published_names", names_.size()},
                       {"accounted", {{"leases", total.leases},
                                      {"executors", total.executors},
                                      {"wall_ns", total.usage.wall_ns},
                                      {"cpu_ns", total.usage.cpu_ns},
                                      {"hot_poll_ns", total.usage.hot_poll_ns},
                                      {"billed_core_seconds", total.billed_core_seconds}}}};
  return status.dump();
}

void Manager::on_name_publish(ucp_ep_h from, const wire::NamePublish& message) {
  channel_->send(from, name_reply(message.request_id, [&] {
                   names_.publish(message.user, message.service, message.port, from);
                   return std::string();
                 }));
}

void Manager::on_name_lookup(ucp_ep_h from, const wire::NameLookup& message) {
  channel_->send(from, name_reply(message.request_id, [&] { return names_.lookup(message.user, message.service); }));
}

void Manager::on_name_unpublish(ucp_ep_h from, const wire::NameUnpublish& message) {
  channel_->send(from, name_reply(message.request_id, [&] {
                   names_.unpublish(message.user, message.service, message.port);
                   return std::string();
                 }));
}

void Manager::end_lease(uint64_t lease_id, lease::LeaseState state, const std::string& reason) {
  const lease::LeaseRecord* lease = table_.find(lease_id);
  if (lease == nullptr) return;
  const std::string spawner_id = lease->token.spawner_id;
  if (!table_.end(lease_id, state, reason, lease::now_unix_ms())) return;
  forget_or_warn(lease_id);
  if (const ucp_ep_h spawner = spawner_endpoint(spawner_id)) {
    channel_->send(spawner, wire::LeaseRevoke{lease_id, reason});
  }
}

ucp_ep_h Manager::spawner_endpoint(const std::string& spawner_id) const {
  for (const auto& [handle, peer] : peers_) {
    if (peer.spawner_id == spawner_id) return handle;
  }
  return nullptr;
}

// Silence alone proves nothing on a loaded machine, so a silent spawner keeps its leases
// (its executors may well be running) and is only passed over for new ones; it is dropped
// after spawner_timeout, as Slurm marks a node down after SlurmdTimeout.
void Manager::check_spawners_alive() {
  const auto now = Clock::now();
  const auto unresponsive_after = settings_.heartbeat * settings_.missed_heartbeats;
  std::vector<ucp_ep_h> lost;
  for (const auto& [handle, peer] : peers_) {
    if (peer.spawner_id.empty()) continue;
    const auto silent = now - peer.last_heard;
    if (silent > settings_.spawner_timeout) {
      lost.push_back(handle);
    } else if (silent > unresponsive_after && table_.set_responding(peer.spawner_id, false)) {
      spdlog::warn("spawner {} missed {} heartbeats; no new leases on it until it answers", peer.spawner_id,
                   settings_.missed_heartbeats);
    }
  }
  const std::string silence =
      "silent for " + std::to_string(std::chrono::duration_cast<std::chrono::seconds>(settings_.spawner_timeout).count()) +
      " s";
  for (const ucp_ep_h handle : lost) {
    peers_[handle].departure = silence;
    spdlog::warn("spawner {} {}; dropping it", peers_[handle].spawner_id, silence);
    forget_peer(handle);
  }
}

// Spawners kill on expiry by themselves (the expiry is in the token); the manager only
// gives the resources back.
void Manager::expire_leases() {
  const auto next = table_.next_expiry_ms();
  if (!next || *next > lease::now_unix_ms()) return;
  channel_->dispatch_arrived();  // a renewal may be waiting unread
  for (const uint64_t id : table_.expire(lease::now_unix_ms())) {
    forget_or_warn(id);
    spdlog::info("lease {} expired", id);
  }
}

}  // namespace ferry::manager
