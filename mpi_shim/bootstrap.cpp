#include "mpi_shim/bootstrap.hpp"

#include <dlfcn.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <sstream>

#include "mpi_shim/bootstrap_messages.hpp"
#include "mpi_shim/communicator.hpp"
#include "mpi_shim/core_sharing.hpp"
#include "mpi_shim/dynamic/ports.hpp"
#include "mpi_shim/dynamic/process_failures.hpp"
#include "mpi_shim/dynamic/spawn_service.hpp"
#include "mpi_shim/dynamic/spawned_world.hpp"
#include "mpi_shim/errors.hpp"
#include "mpi_shim/function_rank_owner.hpp"
#include "mpi_shim/job_settings.hpp"
#include "mpi_shim/request.hpp"
#include "mpi_shim/rma/window.hpp"
#include "mpi_shim/tags.hpp"
#include "mpi_shim/transfer.hpp"
#include "mpi_shim/transport.hpp"
#include "mpi_shim/world.hpp"
#include "runtime/common/error.hpp"
#include "runtime/common/hex.hpp"
#include "runtime/common/random_bytes.hpp"
#include "runtime/common/trace.hpp"

namespace ferry::mpi {

namespace {

constexpr uint32_t bootstrap_context = bootstrap_context_id;
constexpr uint32_t hello_sequence = 0;
constexpr uint32_t table_sequence = 1;

std::unique_ptr<FunctionRankOwner> owner;

std::string shim_path() {
  Dl_info info{};
  if (::dladdr(reinterpret_cast<void*>(&start_batch_rank), &info) == 0 || info.dli_fname == nullptr) return {};
  char resolved[PATH_MAX];
  return ::realpath(info.dli_fname, resolved) != nullptr ? std::string(resolved) : std::string(info.dli_fname);
}

/// Whether the colon-separated `preload` names `library` (a real path).
bool preload_has(const std::string& preload, const std::string& library) {
  std::stringstream entries(preload);
  std::string entry;
  while (std::getline(entries, entry, ':')) {
    char resolved[PATH_MAX];
    if (::realpath(entry.c_str(), resolved) != nullptr && library == resolved) return true;
  }
  return false;
}

/// The library that explains an allocation refused by the lease's memory limit, next to
/// the shim; empty when it is not there (sanitized builds).
std::string memory_limit_library([[maybe_unused]] const std::string& shim) {
#ifdef FERRY_MEMORY_LIMIT_LIBRARY
  const std::string path = shim.substr(0, shim.rfind('/') + 1) + FERRY_MEMORY_LIMIT_LIBRARY;
  char resolved[PATH_MAX];
  if (::realpath(path.c_str(), resolved) != nullptr) return resolved;
#endif
  return {};
}

/// What function ranks preload: this rank's own LD_PRELOAD (tools the user preloads come
/// along, in their order) with the shim in it, first unless it is already there, and the
/// memory-limit library last, behind any allocator the user preloads.
std::string function_rank_preload() {
  const std::string shim = shim_path();
  const char* current = std::getenv("LD_PRELOAD");
  std::string preload = current != nullptr ? current : "";
  if (shim.empty()) return preload;
  if (!preload_has(preload, shim)) preload = preload.empty() ? shim : shim + ":" + preload;
  const std::string memory_limit = memory_limit_library(shim);
  if (!memory_limit.empty() && !preload_has(preload, memory_limit)) preload += ":" + memory_limit;
  return preload;
}

/// This program's command line, with the executable's absolute path first.
std::vector<std::string> own_command_line() {
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  const std::string raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::string> argv;
  for (size_t start = 0; start < raw.size();) {
    const size_t end = raw.find('\0', start);
    argv.push_back(raw.substr(start, end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  char exe[PATH_MAX];
  const ssize_t length = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (length > 0 && !argv.empty()) argv[0] = std::string(exe, size_t(length));
  return argv;
}

std::string working_directory() {
  char cwd[PATH_MAX];
  return ::getcwd(cwd, sizeof cwd) != nullptr ? std::string(cwd) : std::string();
}

/// The function ranks batch rank `batch_rank` owns: B + j for every j with j mod B == batch_rank.
std::vector<int> owned_ranks(int batch_rank, int batch_ranks, int functions) {
  std::vector<int> ranks;
  for (int j = batch_rank; j < functions; j += batch_ranks) ranks.push_back(batch_ranks + j);
  return ranks;
}

/// The address in `bytes` when they are a hello with the job's secret.
std::optional<Bytes> address_in_hello(const Bytes& bytes, const Bytes& secret) {
  BootstrapHello hello;
  try {
    hello = decode_bootstrap_hello(bytes);
  } catch (const Error&) {
    return std::nullopt;
  }
  if (CRYPTO_memcmp(hello.secret.data(), secret.data(), bootstrap_secret_size) != 0) return std::nullopt;
  return std::move(hello.address);
}

/// Waits for the hello of each owned function rank; hellos without the job's secret are refused.
std::vector<Bytes> collect_hellos(const std::vector<int>& ranks, const Bytes& secret) {
  std::vector<Bytes> addresses(ranks.size());
  size_t received = 0;
  while (received < ranks.size()) {
    ucp_tag_t sender = 0;
    const Bytes hello = receive_whole(internal_tag(hello_sequence, 0, bootstrap_context), full_mask & ~source_field,
                                      &sender);
    const int rank = source_of(sender);
    const auto slot = std::find(ranks.begin(), ranks.end(), rank);
    std::optional<Bytes> address = address_in_hello(hello, secret);
    if (!address || slot == ranks.end() || !addresses[size_t(slot - ranks.begin())].empty()) {
      std::fprintf(stderr, "ferry: rank %d: refused a start-up connection claiming rank %d without this job's secret\n",
                   world().rank, rank);
      continue;
    }
    addresses[size_t(slot - ranks.begin())] = std::move(*address);
    ++received;
  }
  return addresses;
}

/// What a batch rank set up before (or right after) PMPI_Init: its transport, the secret
/// its function ranks present, and the thread that starts them.
struct Launch {
  Bytes secret;
  std::vector<int> owned;
};
Launch launch;

/// Leases and spawns this batch rank's function ranks (on the owner's thread).
void launch_function_ranks(const JobSettings& settings, int rank, int batch_ranks) {
  World& w = world();
  w.batch_ranks = batch_ranks;
  w.rank = rank;
  w.function_ranks = settings.functions;
  w.role = Role::batch;
  if (w.size() > max_ranks) throw Error(Errc::invalid_argument, "more than 2^20 ranks");
  install_transport(std::make_unique<Transport>(settings.mode, w.size()));
  transport().set_background(progress_background);

  // Each owner has a secret of its own: only its function ranks need it.
  launch.secret.resize(bootstrap_secret_size);
  fill_random(launch.secret);
  const Bytes my_address = transport().address();
  launch.owned = owned_ranks(w.rank, w.batch_ranks, w.function_ranks);
  std::vector<OwnedRank> owned;
  const std::string preload = function_rank_preload();
  for (int function_rank : launch.owned) {
    OwnedRank entry;
    entry.rank = function_rank;
    entry.env = {"FERRY_ROLE=function",
                 "FERRY_RANK=" + std::to_string(function_rank),
                 "FERRY_BATCH_RANKS=" + std::to_string(w.batch_ranks),
                 "FERRY_FUNCTIONS=" + std::to_string(w.function_ranks),
                 "FERRY_OWNER_RANK=" + std::to_string(w.rank),
                 "FERRY_OWNER_ADDRESS=" + to_hex(my_address),
                 "FERRY_JOB_SECRET=" + to_hex(launch.secret),
                 "FERRY_MODE=" + std::string(ucx::wait_mode_name(settings.mode)),
                 "OMPI_MCA_ess_singleton_isolated=1",
                 "OMPI_MCA_btl=self",
                 "OMPI_MCA_pml=ob1"};
    if (!preload.empty()) entry.env.push_back("LD_PRELOAD=" + preload);
    for (std::string& variable : trace::environment()) entry.env.push_back(std::move(variable));
    // What MPI names and ports need: spawners start programs in their own environment.
    if (settings.manager) entry.env.push_back("FERRY_MANAGER=" + *settings.manager);
    if (const char* timeout = std::getenv("FERRY_CONNECT_TIMEOUT")) {
      entry.env.push_back(std::string("FERRY_CONNECT_TIMEOUT=") + timeout);
    }
    owned.push_back(std::move(entry));
  }
  if (!owned.empty()) {
    owner = std::make_unique<FunctionRankOwner>(settings, w.rank, std::move(owned), own_command_line(),
                                                working_directory());
  }
}

}  // namespace

std::string preload_for_function_ranks() { return function_rank_preload(); }


void start_batch_rank() {
  World& w = world();
  int native_rank = 0, native_size = 0;
  PMPI_Comm_size(MPI_COMM_WORLD, &native_size);
  PMPI_Comm_rank(MPI_COMM_WORLD, &native_rank);
  const JobSettings settings = read_job_settings();
  if (settings.functions == 0) return;
  launch_function_ranks(settings, native_rank, native_size);
  const Bytes my_address = transport().address();
  const std::vector<int>& mine = launch.owned;
  const std::vector<Bytes> function_addresses = collect_hellos(mine, launch.secret);
  trace::phase("hellos of its " + std::to_string(mine.size()) + " function ranks received");

  // Every batch rank contributes [rank, address] of itself and of its function ranks.
  std::vector<AddressEntry> entries{{uint32_t(w.rank), my_address}};
  for (size_t i = 0; i < mine.size(); ++i) entries.push_back({uint32_t(mine[i]), function_addresses[i]});
  const Bytes contribution = encode(entries);
  std::vector<int> sizes(size_t(w.batch_ranks)), offsets(size_t(w.batch_ranks));
  const int my_size = int(contribution.size());
  PMPI_Allgather(&my_size, 1, MPI_INT, sizes.data(), 1, MPI_INT, MPI_COMM_WORLD);
  int total = 0;
  for (int i = 0; i < w.batch_ranks; ++i) {
    offsets[size_t(i)] = total;
    total += sizes[size_t(i)];
  }
  Bytes gathered(static_cast<size_t>(total));
  PMPI_Allgatherv(contribution.data(), my_size, MPI_BYTE, gathered.data(), sizes.data(), offsets.data(), MPI_BYTE,
                  MPI_COMM_WORLD);
  std::vector<Bytes> table = addresses_by_rank(decode_address_entries(gathered), size_t(w.size()));

  // The same table, in rank order, for the function ranks.
  const Bytes encoded = encode_address_table(table);
  transport().set_addresses(std::move(table));
  for (int rank : mine) send_whole(rank, internal_tag(table_sequence, w.rank, bootstrap_context), encoded);
  trace::phase("address table exchanged");
  create_world_comm(w.size(), w.rank);
  settle_waiting_mode(world_comm());
}

void start_function_rank() {
  const FunctionRankSettings settings = read_function_rank_settings();
  if (settings.spawn_id != 0) {
    start_spawned_rank(settings);
    return;
  }
  World& w = world();
  w.role = Role::function;
  w.rank = settings.rank;
  w.batch_ranks = settings.batch_ranks;
  w.function_ranks = settings.functions;
  install_transport(std::make_unique<Transport>(settings.mode, w.size()));
  transport().set_background(progress_background);
  std::vector<Bytes> known(size_t(w.size()));
  known[size_t(settings.owner)] = settings.owner_address;
  transport().set_addresses(known);

  const Bytes hello = encode(BootstrapHello{settings.secret, transport().address()});
  send_whole(settings.owner, internal_tag(hello_sequence, w.rank, bootstrap_context), hello);
  trace::phase("hello sent to rank " + std::to_string(settings.owner));

  const Bytes encoded = receive_whole(internal_tag(table_sequence, settings.owner, bootstrap_context), full_mask);
  trace::phase("address table received");
  std::vector<Bytes> table = decode_address_table(encoded);
  if (table.size() != size_t(w.size())) throw Error(Errc::protocol, "the address table has the wrong size");
  transport().set_addresses(std::move(table));
  create_world_comm(w.size(), w.rank);
  settle_waiting_mode(world_comm());
}

namespace {

/// A batch rank's worker answers the other batch ranks' endpoint closes until they have
/// all closed theirs: over TCP a close waits for its peer, which then must not be gone.
void stay_until_batch_ranks_closed() {
  ShimScope scope;
  MPI_Request request = MPI_REQUEST_NULL;
  if (PMPI_Ibarrier(MPI_COMM_WORLD, &request) != MPI_SUCCESS) return;
  for (int done = 0; !done;) {
    if (!transport().progress()) sched_yield();
    if (PMPI_Test(&request, &done, MPI_STATUS_IGNORE) != MPI_SUCCESS) return;
  }
}

}  // namespace

void finalize_hybrid_world() {
  if (owner) owner->begin_finalize();
  if (world().hybrid_world()) {
    char token = 0;
    std::vector<char> all(size_t(world_comm().size()));
    allgather_bytes(world_comm(), &token, 1, all.data());
  }
  discard_windows_left();
  SpawnService::finish(std::chrono::seconds(30));
  // The endpoints close while every rank still answers: a close to a rank that has gone
  // waits for nothing but its deadline.
  transport().close_endpoints();
  if (world().role == Role::batch) stay_until_batch_ranks_closed();
  // The function ranks exit while PMPI_Finalize runs; finish_function_ranks() waits for them.
  if (owner) owner->defer_failures();
  port_service().clear();
  stop_failure_news();
  remove_transport();
}

void finish_function_ranks() {
  if (!owner) return;
  owner->finish(std::chrono::seconds(30));
  owner.reset();
  trace::phase("its function ranks exited");
}

}  // namespace ferry::mpi
