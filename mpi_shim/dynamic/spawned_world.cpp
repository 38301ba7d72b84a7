#include "mpi_shim/dynamic/spawned_world.hpp"

#include "mpi_shim/communicator.hpp"
#include "mpi_shim/core_sharing.hpp"
#include "mpi_shim/dynamic/intercomm.hpp"
#include "mpi_shim/dynamic/process_failures.hpp"
#include "mpi_shim/dynamic/spawn_protocol.hpp"
#include "mpi_shim/request.hpp"
#include "mpi_shim/transfer.hpp"
#include "mpi_shim/transport.hpp"
#include "mpi_shim/world.hpp"
#include "runtime/common/error.hpp"

namespace ferry::mpi {

namespace {

MPI_Comm parent = MPI_COMM_NULL;

}  // namespace

void start_spawned_rank(const FunctionRankSettings& settings) {
  World& w = world();
  w.role = Role::function;
  w.rank = settings.rank;
  w.batch_ranks = 0;
  w.function_ranks = settings.functions;
  install_transport(std::make_unique<Transport>(settings.mode, w.size()));
  transport().set_background(progress_background);
  transport().set_addresses(std::vector<Bytes>(size_t(w.size())));
  transport().set_address(w.rank, transport().address());
  const int owner = transport().process_of(settings.owner_address);

  // Ids of a fresh world: every child takes the same ones, so none needs to ask the others.
  const uint32_t context_id = take_first_free_context_id();
  const uint32_t local_context_id = take_first_free_context_id();
  const SpawnHello hello{settings.secret, uint32_t(w.rank), context_id, transport().address()};
  send_whole(owner, spawn_hello_tag(settings.spawn_id, w.rank), encode(hello));

  const SpawnTable table = decode_table(receive_whole(spawn_table_tag(settings.spawn_id), full_mask));
  if (table.children.size() != size_t(w.size())) throw Error(Errc::protocol, "the spawn table has the wrong size");
  for (int rank = 0; rank < w.size(); ++rank) transport().set_address(rank, table.children[size_t(rank)]);
  create_world_comm(w.size(), w.rank);
  settle_waiting_mode(world_comm());

  std::vector<int> world_members(size_t(w.size()));
  for (int rank = 0; rank < w.size(); ++rank) world_members[size_t(rank)] = rank;
  std::vector<int> parents;
  for (const Bytes& address : table.parents.addresses) parents.push_back(transport().process_of(address));
  expect_failure_news();
  parent = register_intercomm(std::move(world_members), w.rank, context_id, local_context_id, std::move(parents),
                              table.parents.context_id, HeldErrhandler(MPI_ERRORS_ARE_FATAL));
}

MPI_Comm spawned_parent() noexcept {
  if (parent != MPI_COMM_NULL && hybrid(parent) == nullptr) parent = MPI_COMM_NULL;  // disconnected
  return parent;
}

}  // namespace ferry::mpi
