#include "mpi_shim/transport.hpp"

#include <chrono>
#include <string>

#include "mpi_shim/errors.hpp"
#include "runtime/common/deadline.hpp"

namespace ferry::mpi {

namespace {

std::unique_ptr<Transport> installed;

// When a peer's connection fails, its owner usually reports the cause (a crash, an exit
// code) within moments; this process ends the job itself only if nobody has by then.
constexpr auto peer_failure_grace = std::chrono::seconds(3);

struct PeerFailure {
  int rank = -1;
  ucs_status_t status = UCS_OK;
  Clock::time_point when{};
};
PeerFailure first_failure;

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
    slot = ucx::Endpoint::connect_to_worker(worker_, addresses_[size_t(world_rank)]);
    slot->on_failure([world_rank](ucs_status_t status) {
      if (first_failure.rank >= 0) return;
      first_failure = {world_rank, status, Clock::now()};
    });
  }
  return slot->raw();
}

void Transport::wait_until(const std::function<bool()>& done) {
  auto advance_and_check = [&] {
    run_background();
    return done();
  };
  for (;;) {
    if (waiter_.wait_until(advance_and_check, Deadline::after(std::chrono::milliseconds(100)))) return;
    if (first_failure.rank >= 0 && Clock::now() - first_failure.when > peer_failure_grace) {
      abort_job(1, "lost the connection to rank " + std::to_string(first_failure.rank) + " (" +
                       ucs_status_string(first_failure.status) + ")");
    }
  }
}

Transport& transport() noexcept { return *installed; }
void install_transport(std::unique_ptr<Transport> transport) { installed = std::move(transport); }
void remove_transport() noexcept { installed.reset(); }

}  // namespace ferry::mpi
