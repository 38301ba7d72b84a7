#include "mpi_shim/core_sharing.hpp"

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "mpi_shim/communicator.hpp"
#include "mpi_shim/rank_placement.hpp"
#include "mpi_shim/transport.hpp"
#include "runtime/common/trace.hpp"

namespace ferry::mpi {

ucx::CoreShare settle_waiting_mode(Comm& world) {
  const RankPlacement mine = own_placement();
  std::vector<RankPlacement> all(size_t(world.size()));
  allgather_bytes(world, &mine, sizeof mine, all.data());
  ucx::CoreShare share;
  share.cores = std::max(cpu_count(mine), 1U);
  share.busy = std::max(ranks_on_my_cores(mine, all), ucx::runnable_processes_on(cpus_of(mine)));
  const ucx::WaitChoice choice = ucx::choose_wait(transport().mode(), share);
  transport().set_waiting(choice.mode, choice.shared_cores);
  if (trace::enabled()) {
    char busy[32];
    std::snprintf(busy, sizeof busy, "%.2f", share.busy);
    trace::phase("waits " + std::string(ucx::wait_mode_name(transport().waiter().mode())) +
                 (transport().mode() == ucx::WaitMode::automatic ? " (chosen: " : " (asked for; ") + busy +
                 " busy on " + std::to_string(share.cores) + " CPUs" +
                 (transport().waiter().shared_cores() ? ", shared)" : ")"));
  }
  return share;
}

}  // namespace ferry::mpi
