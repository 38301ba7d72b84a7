#include "mpi_shim/transport.hpp"

namespace ferry::mpi {

namespace {

std::unique_ptr<Transport> installed;

}  // namespace

Transport::Transport(ucx::WaitMode mode, int world_size)
    : context_(ucx::Context::create()),
      worker_(ucx::Worker::create(context_)),
      mode_(mode),
      waiter_(*worker_, mode),
      endpoints_(size_t(world_size)) {}

Transport::~Transport() {
  endpoints_.clear();
}

void Transport::set_addresses(std::vector<std::vector<std::byte>> addresses) {
  addresses_ = std::move(addresses);
  endpoints_.resize(addresses_.size());
}

ucp_ep_h Transport::endpoint(int world_rank) {
  auto& slot = endpoints_[size_t(world_rank)];
  if (!slot) {
    // A rank that fails ends the job through its owner or its launcher, not through here.
    slot = ucx::Endpoint::connect_to_worker(worker_, addresses_[size_t(world_rank)], ucx::PeerFailure::untracked);
  }
  return slot->raw();
}

Transport& transport() noexcept { return *installed; }
void install_transport(std::unique_ptr<Transport> transport) { installed = std::move(transport); }
void remove_transport() noexcept { installed.reset(); }

}  // namespace ferry::mpi
