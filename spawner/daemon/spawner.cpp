#include "spawner/daemon/spawner.hpp"

#include <filesystem>

#include <nlohmann/json.hpp>

#include "runtime/common/log.hpp"
#include "runtime/common/overloaded.hpp"
#include "runtime/common/trace.hpp"
#include "runtime/lease/lease_replies.hpp"
#include "runtime/ucx/connection_limit.hpp"
#include "spawner/process/lease_directory.hpp"

namespace ferry::spawner {

Spawner::Spawner(Settings settings)
    : settings_((apply_machine_defaults(settings), std::move(settings))),
      context_((ucx::allow_many_connections(), ucx::Context::create(false, settings_.same_user_peers))),
      worker_(ucx::Worker::create(context_)),
      book_(settings_.id, settings_.secret),
      cpus_(settings_.cpus),
      libraries_(uint64_t{settings_.file_cache_mib} << 20) {
  std::filesystem::create_directories(settings_.work_root);
  // Each lease's directory belongs to its owner; the root only lets them reach it.
  std::filesystem::permissions(settings_.work_root,
                               std::filesystem::perms::owner_all | std::filesystem::perms::group_exec |
                                   std::filesystem::perms::others_exec,
                               std::filesystem::perm_options::replace);
  if (const size_t stale = remove_stale_lease_directories(settings_.work_root); stale > 0) {
    spdlog::info("removed {} lease directories an earlier spawner left in {}", stale, settings_.work_root);
  }
  if (settings_.cgroup != "none") cgroups_ = find_lease_cgroup_parent("/proc", settings_.cgroup);
  spdlog::info("executors' memory limit: {}", cgroups_.parent.empty() ? "RLIMIT_DATA, as no cgroup v2 can be used: " +
                                                                            (cgroups_.reason.empty() ? "--cgroup none" : cgroups_.reason)
                                                                      : cgroups_.reason);
  channel_ = std::make_unique<wire::ControlChannel>(
      worker_, [this](ucp_ep_h from, wire::Message&& message) { handle(from, std::move(message)); });
  listener_ = ucx::Listener::create(worker_, settings_.listen,
                                    [this](ucp_conn_request_h request) { accept(request); });
  loop_.attach(*worker_, [this] { return channel_->dispatch() > 0; });
  loop_.every(std::max(settings_.silent_connection_timeout / 4, std::chrono::milliseconds(10)),
              [this] {
    silent_.close_silent_for(settings_.silent_connection_timeout, [this](ucp_ep_h handle) { forget_peer(handle); });
  });
  if (settings_.manager) {
    connect_to_manager();
  } else {
    own_leases_.emplace(settings_.secret);
    own_leases_->add_spawner({settings_.id, address().to_string(),
                              static_cast<uint32_t>(settings_.cpus.size()), settings_.memory_mib, 0, 0, settings_.node});
    loop_.every(std::chrono::milliseconds(50), [this] {
      const auto next = own_leases_->next_expiry_ms();
      if (!next || *next > lease::now_unix_ms()) return;
      channel_->dispatch_arrived();
      for (const uint64_t id : own_leases_->expire(lease::now_unix_ms())) end_lease(id, "lease expired");
    });
  }
  if (settings_.warm_at_start) warm_pool_.fill();
  spdlog::info("spawner {} listening on {} with {} cores", settings_.id, address().to_string(),
               settings_.cpus.size());
}

Spawner::~Spawner() {
  executors_.clear();  // each Process kills and reaps its group
  warm_pool_.clear();
  lease_cgroups_.clear();
  listener_.reset();
  manager_.reset();
  peers_.clear();
  channel_.reset();
  std::error_code ignored;
  std::filesystem::remove_all(settings_.work_root, ignored);
}

void Spawner::accept(ucp_conn_request_h request) {
  auto endpoint = ucx::Endpoint::accept(worker_, request);
  const ucp_ep_h handle = endpoint->raw();
  endpoint->on_failure([this, handle](ucs_status_t) { loop_.post([this, handle] { forget_peer(handle); }); });
  peers_[handle] = std::move(endpoint);
  silent_.accepted(handle);
}

// No process of a lease outlives its owner's connection, and a stand-alone spawner takes
// back the leases it granted over that connection.
void Spawner::forget_peer(ucp_ep_h handle) {
  for (auto& [id, executor] : executors_) {
    if (executor.owner == handle) {
      executor.owner = nullptr;
      terminate(executor, "its owner disconnected");
    }
  }
  if (const auto granted = leases_of_peer_.find(handle); granted != leases_of_peer_.end()) {
    for (const uint64_t lease_id : granted->second) {
      if (own_leases_->end(lease_id, lease::LeaseState::released, "its owner disconnected", lease::now_unix_ms())) {
        end_lease(lease_id, "its owner disconnected");
      }
    }
    leases_of_peer_.erase(granted);
  }
  peers_.erase(handle);
  silent_.spoke(handle);
}

void Spawner::handle(ucp_ep_h from, wire::Message&& message) {
  silent_.spoke(from);
  std::visit(Overloaded{
                 [&](const wire::SpawnRequest& m) { on_spawn_request(from, m); },
                 [&](const wire::KillExecutor& m) {
                   if (Executor* executor = find_executor(m.executor_id); executor && executor->owner == from) {
                     terminate(*executor, "killed by its owner");
                   }
                 },
                 [&](const wire::TokenUpdate& m) { on_token_update(m); },
                 [&](const wire::LeaseRevoke& m) {
                   if (manager_ && from == manager_->raw()) {
                     end_lease(m.lease_id, m.reason);
                   } else {
                     spdlog::warn("a LeaseRevoke of lease {} not from the manager ignored", m.lease_id);
                   }
                 },
                 [&](const wire::RegisterReply& m) { on_register_reply(m); },
                 [&](const wire::LeaseRequest& m) { on_lease_request(from, m); },
                 [&](const wire::LeaseRenew& m) { on_lease_renew(from, m); },
                 [&](const wire::LeaseRelease& m) {
                   if (own_leases_ && own_leases_->held_with(m.lease_id, m.proof) &&
                       own_leases_->end(m.lease_id, lease::LeaseState::released, "released by its owner",
                                        lease::now_unix_ms())) {
                     end_lease(m.lease_id, "released by its owner");
                   }
                 },
                 [&](const wire::StatusRequest& m) {
                   channel_->send(from, wire::StatusReply{m.request_id, status_json().dump()});
                 },
                 [&](const auto& other) {
                   spdlog::warn("spawner: unexpected {} message ignored", wire::message_name(other));
                 },
             },
             message);
}

void Spawner::connect_to_manager() {
  manager_ = ucx::Endpoint::connect(worker_, *settings_.manager);
  manager_->on_failure([this](ucs_status_t status) {
    loop_.post([this, status] {
      spdlog::error("lost the manager at {} ({}); retrying in 1 s", settings_.manager->to_string(),
                    ucs_status_string(status));
      manager_.reset();
      loop_.after(std::chrono::seconds(1), [this] { connect_to_manager(); });
    });
  });
  register_when_connected(manager_->flush());
}

// UCX 1.13 may fail a message queued on an endpoint that is still being wired up, so the
// registration waits until the connection is made (the flush completes).
void Spawner::register_when_connected(ucs_status_ptr_t flushing) {
  if (UCS_PTR_IS_ERR(flushing) || !manager_) return;  // the failure handler reconnects
  if (flushing != nullptr && ucp_request_check_status(flushing) == UCS_INPROGRESS) {
    loop_.after(std::chrono::milliseconds(2), [this, flushing] { register_when_connected(flushing); });
    return;
  }
  if (flushing != nullptr) ucp_request_free(flushing);
  wire::RegisterSpawner registration{settings_.id, address().to_string(), static_cast<uint32_t>(cpus_.total()),
                                      settings_.memory_mib, settings_.node};
  for (const auto& [id, use] : book_.active()) registration.leases.push_back(use.token);
  registration.highest_lease_id = book_.highest_lease_id();
  channel_->send(manager_->raw(), registration);
}

void Spawner::on_register_reply(const wire::RegisterReply& reply) {
  if (reply.status != Errc::ok) {
    spdlog::error("the manager refused registration: {}", reply.error);
    return;
  }
  spdlog::info("registered with the manager; heartbeat every {} ms", reply.heartbeat_ms);
  trace::phase("spawner: registered with the manager");
  while (!unreported_.empty() && send_usage(unreported_.front())) unreported_.pop_front();
  static constexpr uint32_t min_heartbeat_ms = 10;
  if (heartbeat_timer_) loop_.cancel(*heartbeat_timer_);  // registered again after losing the manager
  heartbeat_timer_ = loop_.every(std::chrono::milliseconds(std::max(reply.heartbeat_ms, min_heartbeat_ms)),
              [this] { send_heartbeat(); });
}

void Spawner::send_heartbeat() {
  if (manager_ && !manager_->failed()) {
    channel_->send(manager_->raw(), wire::Heartbeat{settings_.id, book_.cores_used(), book_.memory_used_mib()});
  }
}

void Spawner::report_usage(uint64_t lease_id, uint64_t executor_id, const wire::Usage& usage) {
  if (own_leases_) {
    own_leases_->add_usage(lease_id, usage);
    return;
  }
  const wire::UsageReport report{lease_id, executor_id, usage};
  if (unreported_.empty() && send_usage(report)) return;
  static constexpr size_t max_unreported = 10'000;
  if (unreported_.size() == max_unreported) {
    spdlog::warn("usage of executor {} (lease {}) dropped: {} reports wait for the manager already",
                 unreported_.front().executor_id, unreported_.front().lease_id, max_unreported);
    unreported_.pop_front();
  }
  unreported_.push_back(report);
}

bool Spawner::send_usage(const wire::UsageReport& report) {
  if (!manager_ || manager_->failed() || !channel_->send(manager_->raw(), report)) return false;
  ++executors_reported_;
  usage_reported_.wall_ns += report.usage.wall_ns;
  usage_reported_.cpu_ns += report.usage.cpu_ns;
  usage_reported_.hot_poll_ns += report.usage.hot_poll_ns;
  return true;
}

nlohmann::json Spawner::status_json() const {
  nlohmann::json status = own_leases_ ? own_leases_->to_json(lease::now_unix_ms()) : nlohmann::json::object();
  nlohmann::json leases = nlohmann::json::array();
  for (const auto& [id, use] : book_.active()) leases.push_back(id);
  status["spawner"] = {{"id", settings_.id},
                       {"connections", peers_.size() + (manager_ ? 1 : 0)},
                       {"executors", executors_.size()},
                       {"warm_workers", warm_pool_.waiting()},
                       {"cached_files", libraries_.files()},
                       {"cached_bytes", libraries_.bytes()},
                       {"leases", leases},
                       {"reported", {{"executors", executors_reported_},
                                     {"wall_ns", usage_reported_.wall_ns},
                                     {"cpu_ns", usage_reported_.cpu_ns},
                                     {"hot_poll_ns", usage_reported_.hot_poll_ns}}}};
  return status;
}

void Spawner::on_lease_request(ucp_ep_h from, const wire::LeaseRequest& request) {
  if (!own_leases_) {
    wire::LeaseReply reply;
    reply.request_id = request.request_id;
    reply.status = Errc::invalid_argument;
    reply.error = "this spawner belongs to a manager; ask the manager for leases";
    channel_->send(from, reply);
    return;
  }
  const wire::LeaseReply reply = lease::answer_lease_request(*own_leases_, settings_.owner_check, request, lease::now_unix_ms());
  if (reply.status == Errc::ok) leases_of_peer_[from].push_back(reply.token.lease_id);
  channel_->send(from, reply);
}

void Spawner::on_lease_renew(ucp_ep_h from, const wire::LeaseRenew& request) {
  if (!own_leases_) return;
  const wire::LeaseReply reply = lease::answer_lease_renew(*own_leases_, request, lease::now_unix_ms());
  if (reply.status == Errc::ok) on_token_update(wire::TokenUpdate{reply.token});
  channel_->send(from, reply);
}

void Spawner::on_token_update(const wire::TokenUpdate& update) {
  try {
    book_.renew(update.token, lease::now_unix_ms());
    schedule_expiry(update.token.lease_id);
  } catch (const Error& error) {
    spdlog::warn("refused a renewed token: {}", error.what());
  }
}

void Spawner::schedule_expiry(uint64_t lease_id) {
  const LeaseUse* use = book_.find(lease_id);
  if (use == nullptr) return;
  if (const auto timer = lease_timers_.find(lease_id); timer != lease_timers_.end()) loop_.cancel(timer->second);
  const uint64_t now = lease::now_unix_ms();
  const uint64_t left = use->token.expiry_unix_ms > now ? use->token.expiry_unix_ms - now : 0;
  lease_timers_[lease_id] = loop_.after(std::chrono::milliseconds(left), [this, lease_id] { on_lease_timer(lease_id); });
}

void Spawner::on_lease_timer(uint64_t lease_id) {
  lease_timers_.erase(lease_id);
  channel_->dispatch_arrived();
  if (lease_timers_.contains(lease_id)) return;  // a token update arrived and moved the expiry
  const LeaseUse* use = book_.find(lease_id);
  if (use == nullptr) return;
  if (use->token.expiry_unix_ms > lease::now_unix_ms()) {
    schedule_expiry(lease_id);
    return;
  }
  end_lease(lease_id, "lease " + std::to_string(lease_id) + " expired");
}

void Spawner::end_lease(uint64_t lease_id, const std::string& reason) {
  book_.end(lease_id, lease::now_unix_ms());
  if (const auto timer = lease_timers_.find(lease_id); timer != lease_timers_.end()) {
    loop_.cancel(timer->second);
    lease_timers_.erase(timer);
  }
  for (auto& [id, executor] : executors_) {
    if (executor.lease_id == lease_id) terminate(executor, reason);
  }
  remove_directory_if_done(lease_id);
}

void Spawner::remove_directory_if_done(uint64_t lease_id) {
  if (book_.find(lease_id) != nullptr) return;
  for (const auto& [id, executor] : executors_) {
    if (executor.lease_id == lease_id) return;
  }
  lease_cgroups_.erase(lease_id);
  try {
    remove_tree(lease_directory_path(settings_.work_root, lease_id));
  } catch (const Error& error) {
    spdlog::warn("the directory of ended lease {} stays: {}", lease_id, error.what());
  }
}

}  // namespace ferry::spawner
