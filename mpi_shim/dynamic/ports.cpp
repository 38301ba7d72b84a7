#include "mpi_shim/dynamic/ports.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "mpi_shim/request.hpp"
#include "mpi_shim/tags.hpp"
#include "mpi_shim/transport.hpp"
#include "mpi_shim/world.hpp"
#include "runtime/common/error.hpp"

namespace ferry::mpi {

namespace {

PortService instance;

}  // namespace

PortService& port_service() noexcept { return instance; }

std::string PortService::open(size_t capacity) {
  PortName port{draw_port_id(), transport().address()};
  while (open_.contains(port.id)) port.id = draw_port_id();
  std::string name = format_port_name(port, capacity);
  start_serving();
  listening_ = true;
  open_.insert(port.id);
  return name;
}

void PortService::start_serving() {
  if (serving_) return;
  transport().set_background([this] {
    progress_background();
    serve();
  });
  serving_ = true;
}

bool PortService::close(const PortName& port) {
  if (port.address != transport().address() || open_.erase(port.id) == 0) return false;
  for (auto entry = waiting_.begin(); entry != waiting_.end();) {
    if (entry->first != port.id) {
      ++entry;
      continue;
    }
    refuse(entry->second, "the port was closed");
    entry = waiting_.erase(entry);
  }
  return true;
}

std::optional<ConnectRequest> PortService::take(uint64_t id) {
  const auto found = std::find_if(waiting_.begin(), waiting_.end(), [&](const auto& entry) { return entry.first == id; });
  if (found == waiting_.end()) return std::nullopt;
  ConnectRequest request = std::move(found->second);
  waiting_.erase(found);
  return request;
}

std::shared_ptr<ucx::Endpoint> PortService::peer(const Bytes& address) {
  std::shared_ptr<ucx::Endpoint>& slot = peers_[address];
  if (!slot || slot->failed()) slot = transport().connect_tracked(address);
  return slot;
}

void PortService::send_detached(ucx::Endpoint& peer, ucp_tag_t tag, Bytes message) {
  start_serving();
  Outgoing& outgoing = outgoing_.emplace_back();
  outgoing.message = std::move(message);
  outgoing.transfer = Transfer::send_on(peer.raw(), tag, outgoing.message.data(), outgoing.message.size());
}

void PortService::discard(ucp_tag_t tag) {
  start_serving();
  unwanted_.insert(tag);
}

void PortService::serve() noexcept {
  if (!serving_) return;
  try {
    receive_arrivals();
    receive_discarded();
    for (auto arrival = arrivals_.begin(); arrival != arrivals_.end();) {
      if (!arrival->transfer.test()) {
        ++arrival;
        continue;
      }
      settle(*arrival);
      arrival = arrivals_.erase(arrival);
    }
    outgoing_.remove_if([](Outgoing& outgoing) { return outgoing.transfer.test(); });
    discarded_.remove_if([](Arrival& arrival) { return arrival.transfer.test(); });
  } catch (const std::exception& error) {
    std::fprintf(stderr, "ferry: rank %d: serving a port: %s\n", world().rank, error.what());
  }
}

void PortService::receive_arrivals() {
  while (listening_) {
    ucp_tag_recv_info_t info{};
    ucp_tag_message_h message = ucp_tag_probe_nb(transport().worker().raw(), port_tag(PortMessage::request, 0),
                                                 port_kind_mask, 1, &info);
    if (message == nullptr) return;
    Arrival& arrival = arrivals_.emplace_back();
    arrival.data.resize(info.length);
    arrival.transfer = Transfer::receive_probed(message, info, arrival.data.data(), arrival.data.size());
  }
}

void PortService::receive_discarded() {
  for (auto tag = unwanted_.begin(); tag != unwanted_.end();) {
    ucp_tag_recv_info_t info{};
    ucp_tag_message_h message = ucp_tag_probe_nb(transport().worker().raw(), *tag, full_mask, 1, &info);
    if (message == nullptr) {
      ++tag;
      continue;
    }
    Arrival& arrival = discarded_.emplace_back();
    arrival.data.resize(info.length);
    arrival.transfer = Transfer::receive_probed(message, info, arrival.data.data(), arrival.data.size());
    tag = unwanted_.erase(tag);
  }
}

void PortService::settle(const Arrival& arrival) {
  if (arrival.transfer.status() != UCS_OK) return;
  ConnectRequest request;
  try {
    request = decode_connect_request(arrival.data);
  } catch (const Error&) {
    return;  // nobody to answer
  }
  const uint64_t id = port_id_of(arrival.transfer.sender_tag());
  if (open_.contains(id)) {
    waiting_.emplace_back(id, std::move(request));
  } else {
    refuse(request, "the port is not open (closed, or never opened by its process)");
  }
}

void PortService::refuse(const ConnectRequest& request, const std::string& reason) {
  try {
    send_detached(*peer(request.address), port_tag(PortMessage::answer, request.attempt),
                  encode(ConnectAnswer{false, reason, {}}));
  } catch (const Error&) {
    // The connecting process is gone: it waits for nothing.
  }
}

void PortService::clear() noexcept {
  serving_ = false;
  listening_ = false;
  open_.clear();
  waiting_.clear();
  arrivals_.clear();
  outgoing_.clear();
  unwanted_.clear();
  discarded_.clear();
  peers_.clear();
}

}  // namespace ferry::mpi
