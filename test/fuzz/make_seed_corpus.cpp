// Writes the fuzz targets' seed corpora, small valid inputs made by the project's own
// encoders, to OUTPUT_DIR/<target>/<seed>. Run with test/fuzz/corpus as OUTPUT_DIR (the
// fuzz_seed_corpus target does) after a change to any encoding, and commit the result.

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "mpi_shim/bootstrap_messages.hpp"
#include "mpi_shim/dynamic/group_description.hpp"
#include "mpi_shim/dynamic/port_messages.hpp"
#include "mpi_shim/dynamic/spawn_protocol.hpp"
#include "runtime/lease/token.hpp"
#include "runtime/wire/messages.hpp"
#include "test/fuzz/fuzz_support.hpp"

namespace {

namespace fs = std::filesystem;
using ferry::Errc;
using ferry::fuzz::Bytes;
using namespace ferry::wire;

/// A stand-in for a UCX worker address: `size` bytes that differ from seed to seed.
Bytes address(size_t size, unsigned seed) {
  Bytes bytes(size);
  for (size_t i = 0; i < size; ++i) bytes[i] = std::byte((i * 53 + seed * 17 + 1) & 0xFF);
  return bytes;
}

class Corpus {
 public:
  explicit Corpus(fs::path root) : root_(std::move(root)) {}

  void write(const std::string& target, const std::string& seed, const Bytes& bytes) {
    const fs::path directory = root_ / target;
    fs::create_directories(directory);
    std::ofstream out(directory / seed, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
    if (!out) throw std::runtime_error("cannot write " + (directory / seed).string());
    ++written_;
  }
  size_t written() const noexcept { return written_; }

 private:
  fs::path root_;
  size_t written_ = 0;
};

ferry::lease::Token token(uint64_t lease_id, uint64_t expiry_unix_ms) {
  return {.lease_id = lease_id,
          .spawner_id = "node-17",
          .cores = 4,
          .memory_mib = 8192,
          .expiry_unix_ms = expiry_unix_ms,
          .owner = "alice@login2",
          .owner_uid = 1001,
          .owner_gid = 100,
          .owner_user = "alice",
          .owner_proof = ferry::lease::OwnerProof::munge};
}

ferry::lease::Token signed_token(uint64_t lease_id, uint64_t expiry_unix_ms) {
  static const ferry::lease::Secret secret = ferry::fuzz::fixed_secret();
  ferry::lease::Token signed_one = token(lease_id, expiry_unix_ms);
  sign(signed_one, secret);
  return signed_one;
}

/// The MAC of a token whose holder renews or releases it.
ferry::lease::Mac proof_mac() { return signed_token(77, 1'700'000'123'456ULL).mac; }

/// One message of every type.
std::vector<Message> every_message() {
  const Usage usage{.wall_ns = 9'000'000'001, .cpu_ns = 8'500'000'002, .hot_poll_ns = 42, .peak_memory_kib = 1 << 20};
  return {
      RegisterSpawner{"node-17", "10.0.0.17:7070", 48, 192'000, "cn17"},
      RegisterReply{Errc::ok, "", 250},
      Heartbeat{"node-17", 12, 40'960},
      LeaseRevoke{77, "owner disconnected"},
      UsageReport{77, 31, usage},
      LeaseRequest{5, "alice@login2", 4, 8192, 60'000, "cn17", 1001, 100, "alice", "MUNGE:AwQFAAB...:"},
      LeaseReply{5, Errc::ok, "", signed_token(77, 1'700'000'060'000), "10.0.0.17:7070"},
      LeaseRenew{6, 77, 30'000, proof_mac()},
      LeaseRelease{77, proof_mac()},
      StatusRequest{8},
      StatusReply{8, R"({"spawners":[{"id":"node-17","cores":48}]})"},
      SpawnRequest{9,
                   signed_token(77, 1'700'000'060'000),
                   2,
                   4096,
                   SpawnKind::program,
                   {"./app", "--size", "1024"},
                   {"OMP_NUM_THREADS=1"},
                   0,
                   std::string(64, 'e'),
                   {},
                   "/scratch/job",
                   {ShippedFile{"/home/alice/bin/app", std::string(64, 'a'), true, {}}}},
      SpawnReply{9, Errc::ok, "", false, {std::string(64, 'a')}, 31, 4242, address(90, 2), address(32, 1)},
      TokenUpdate{signed_token(77, 1'700'000'090'000)},
      KillExecutor{31},
      ExecutorOutput{31, Stream::err, "line one\nline two\n"},
      ExecutorExit{31, 0, 9, "killed at lease expiry", usage},
      ExecutorHello{address(32, 1), {"add", "matmul_f64"}},
      ExecutorWelcome{Errc::ok, "", {address(24, 2), address(24, 3)}},
      NamePublish{10, "alice", "ocean-model", "ferry-port:00c0ffee00c0ffee:QUJD"},
      NameLookup{11, "alice", "ocean-model"},
      NameUnpublish{12, "alice", "ocean-model", "ferry-port:00c0ffee00c0ffee:QUJD"},
      NameReply{11, Errc::not_found, "the name 'x' is not published", ""},
      SpawnerLeaving{"node-17:slurm-42", "node reclaimed by Slurm (node node-17, job 42)"},
  };
}

void write_messages(Corpus& corpus) {
  std::set<size_t> types;
  for (const Message& message : every_message()) {
    types.insert(message.index());
    corpus.write("decode_message_fuzzer", std::string(message_name(message)), encode(message));
  }
  if (types.size() != std::variant_size_v<Message>) throw std::logic_error("a message type has no seed");
}

void write_tokens(Corpus& corpus) {
  const std::string target = "token_fuzzer";
  corpus.write(target, "lease_reply_signed",
               encode(LeaseReply{5, Errc::ok, "", signed_token(77, 1'700'000'060'000), "10.0.0.17:7070"}));
  corpus.write(target, "lease_reply_unsigned",
               encode(LeaseReply{5, Errc::ok, "", token(77, 1'700'000'060'000), "10.0.0.17:7070"}));
  corpus.write(target, "token_update_signed", encode(TokenUpdate{signed_token(78, 1'700'000'090'000)}));
  corpus.write(target, "token_update_no_expiry", encode(TokenUpdate{signed_token(79, 0)}));
  SpawnRequest request;
  request.request_id = 9;
  request.token = signed_token(80, 1'700'000'060'000);
  request.cores = 1;
  request.memory_mib = 1024;
  request.library_hash = std::string(64, 'e');
  corpus.write(target, "spawn_request_signed", encode(request));
}

void write_bootstrap(Corpus& corpus) {
  using namespace ferry::mpi;
  const std::string target = "bootstrap_messages_fuzzer";
  const Bytes secret = address(bootstrap_secret_size, 9);
  corpus.write(target, "hello", encode(BootstrapHello{secret, address(40, 1)}));
  corpus.write(target, "hello_without_address", encode(BootstrapHello{secret, {}}));
  // Two batch ranks, each the owner of one of two function ranks (ranks 2 and 3).
  const Bytes first = encode(std::vector<AddressEntry>{{0, address(40, 2)}, {2, address(40, 4)}});
  const Bytes second = encode(std::vector<AddressEntry>{{1, address(40, 3)}, {3, address(40, 5)}});
  corpus.write(target, "address_entries", first);
  Bytes gathered = first;
  gathered.insert(gathered.end(), second.begin(), second.end());
  corpus.write(target, "address_entries_gathered", gathered);
  corpus.write(target, "address_table", encode_address_table(addresses_by_rank(decode_address_entries(gathered), 4)));
  corpus.write(target, "address_table_of_one", encode_address_table({address(40, 6)}));
}

ferry::mpi::GroupDescription description(uint32_t context_id, bool all_batch, size_t members, unsigned seed) {
  ferry::mpi::GroupDescription group;
  group.context_id = context_id;
  group.all_batch = all_batch;
  if (all_batch) group.world = address(24, seed);
  for (size_t i = 0; i < members; ++i) group.addresses.push_back(address(24, seed + unsigned(i) + 1));
  group.leader = uint32_t(members - 1);
  return group;
}

void write_spawn(Corpus& corpus) {
  using namespace ferry::mpi;
  const std::string target = "spawn_protocol_fuzzer";
  corpus.write(target, "hello", encode(SpawnHello{address(spawn_secret_size, 9), 1, 17, address(24, 1)}));
  corpus.write(target, "table", encode(SpawnTable{{address(24, 2), address(24, 3)}, description(5, true, 2, 4)}));
  corpus.write(target, "outcome_spawned", encode(SpawnOutcome{{0, 0}, "", description(6, false, 2, 7)}));
  corpus.write(target, "outcome_failed", encode(SpawnOutcome{{0, 17}, "no spawner has a free core", {}}));
  corpus.write(target, "group_description", encode(description(7, false, 3, 10)));
}

void write_ports(Corpus& corpus) {
  using namespace ferry::mpi;
  const std::string target = "port_messages_fuzzer";
  corpus.write(target, "connect_request",
               encode(ConnectRequest{0x0123456789abcdefULL, address(24, 1), encode(description(5, false, 2, 2))}));
  corpus.write(target, "connect_answer_accepted",
               encode(ConnectAnswer{true, "", encode(description(6, true, 1, 3))}));
  corpus.write(target, "connect_answer_refused", encode(ConnectAnswer{false, "the port is closed", {}}));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUTPUT_DIR\n", argv[0]);
    return 2;
  }
  try {
    Corpus corpus(argv[1]);
    write_messages(corpus);
    write_tokens(corpus);
    write_bootstrap(corpus);
    write_spawn(corpus);
    write_ports(corpus);
    std::printf("%zu seeds in %s\n", corpus.written(), argv[1]);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "%s: %s\n", argv[0], error.what());
    return 1;
  }
  return 0;
}
