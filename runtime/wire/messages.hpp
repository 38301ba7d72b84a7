#pragma once
// Control messages of the Ferry protocol. They travel as the data of UCX active
// message `am_control`, framed as
//
//   +--------+---------+------+-------------+------------------+
//   | 'F''Y' | version | type | body length | body             |
//   | u16    | u8      | u8   | u32         | body length bytes|
//   +--------+---------+------+-------------+------------------+
//
// all integers little-endian; strings and byte blobs are a u32 length then the bytes;
// lists are a u32 count then the elements. Every decoder checks every length against
// what is left and against a per-field limit, and rejects trailing bytes.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "runtime/common/error.hpp"
#include "runtime/lease/token.hpp"

namespace ferry::wire {

inline constexpr uint16_t magic = 0x5946;  // "FY"
inline constexpr uint8_t protocol_version = 5;  // 5: holders prove renewals and releases; SpawnerLeaving

/// UCX active-message ids used by Ferry.
inline constexpr uint16_t am_control = 1;
inline constexpr uint16_t am_invoke = 2;
inline constexpr uint16_t am_result = 3;

/// Resource usage of one executor process.
struct Usage {
  uint64_t wall_ns = 0;
  uint64_t cpu_ns = 0;
  uint64_t hot_poll_ns = 0;
  uint64_t peak_memory_kib = 0;
  bool operator==(const Usage&) const = default;
};

// ---- spawner <-> manager ----
struct RegisterSpawner {
  std::string spawner_id;
  std::string address;  ///< host:port of the spawner's listener
  uint32_t cores = 0;
  uint32_t memory_mib = 0;
  std::string node;  ///< the host name of the node it runs on
  /// The leases it serves now, so that a manager that restarted knows them again, and
  /// the highest lease id it has ever seen, so that no id is granted to it twice.
  std::vector<lease::Token> leases = {};
  uint64_t highest_lease_id = 0;
  bool operator==(const RegisterSpawner&) const = default;
};
struct RegisterReply {
  Errc status = Errc::ok;
  std::string error;
  uint32_t heartbeat_ms = 0;
  bool operator==(const RegisterReply&) const = default;
};
struct Heartbeat {
  std::string spawner_id;
  uint32_t cores_used = 0;
  uint32_t memory_used_mib = 0;
  bool operator==(const Heartbeat&) const = default;
};
struct LeaseRevoke {  ///< manager -> spawner: end every process of this lease now
  uint64_t lease_id = 0;
  std::string reason;
  bool operator==(const LeaseRevoke&) const = default;
};
/// spawner -> manager: it is going (its node is reclaimed): no new leases on it, its
/// leases end with `reason`, and `ferry status` keeps it as departed with that reason.
struct SpawnerLeaving {
  std::string spawner_id;
  std::string reason;
  bool operator==(const SpawnerLeaving&) const = default;
};
struct UsageReport {  ///< spawner -> manager, once per finished executor
  uint64_t lease_id = 0;
  uint64_t executor_id = 0;
  Usage usage;
  bool operator==(const UsageReport&) const = default;
};

// ---- client <-> manager ----
struct LeaseRequest {
  uint64_t request_id = 0;
  std::string owner;
  uint32_t cores = 0;
  uint32_t memory_mib = 0;
  uint32_t duration_ms = 0;
  std::string placement;  ///< a spawner's id or a node's name to lease on; empty: anywhere
  /// Who the client says it is; a granter that authenticates takes the uid and gid from
  /// `credential` instead (lease::no_id: not said).
  uint32_t claimed_uid = lease::no_id;
  uint32_t claimed_gid = lease::no_id;
  std::string claimed_user = {};
  /// A munge credential whose payload is lease_request_payload(*this); empty: none.
  std::string credential = {};
  bool operator==(const LeaseRequest&) const = default;
};
struct LeaseReply {
  uint64_t request_id = 0;
  Errc status = Errc::ok;
  std::string error;
  lease::Token token;
  std::string spawner_address;
  bool operator==(const LeaseReply&) const = default;
};
/// Renewals and releases prove that the sender holds the lease: `proof` is the MAC of its
/// current token, which only the granter and the token's holder (and its spawner) know.
struct LeaseRenew {
  uint64_t request_id = 0;
  uint64_t lease_id = 0;
  uint32_t duration_ms = 0;
  lease::Mac proof{};
  bool operator==(const LeaseRenew&) const = default;
};
struct LeaseRelease {
  uint64_t lease_id = 0;
  lease::Mac proof{};
  bool operator==(const LeaseRelease&) const = default;
};
struct StatusRequest {
  uint64_t request_id = 0;
  bool operator==(const StatusRequest&) const = default;
};
struct StatusReply {
  uint64_t request_id = 0;
  std::string json;
  bool operator==(const StatusReply&) const = default;
};

// ---- client <-> spawner ----
enum class SpawnKind : uint8_t { worker = 1, program = 2 };

/// A file of a program shipped to a node that lacks it: the program itself or a library
/// it needs, as the dynamic loader resolved them where the program was started.
struct ShippedFile {
  std::string path;                ///< where the file is on the shipping node
  std::string hash;                ///< hex SHA-256 of its content
  bool program = false;            ///< the executable itself (else a library it needs)
  std::vector<std::byte> content;  ///< empty unless the spawner asked for it
  bool operator==(const ShippedFile&) const = default;
};

struct SpawnRequest {
  uint64_t request_id = 0;
  lease::Token token;
  uint32_t cores = 0;
  uint32_t memory_mib = 0;
  SpawnKind kind = SpawnKind::worker;
  std::vector<std::string> argv;  ///< program: the command; worker: unused
  std::vector<std::string> env;   ///< extra NAME=value entries
  uint8_t wait_mode = 0;          ///< ucx::WaitMode of a worker
  std::string library_hash;       ///< hex SHA-256 of the worker's shared library
  std::vector<std::byte> library; ///< the library itself; empty when the spawner has it cached
  std::string working_directory;  ///< program: absolute path to run in; empty = the lease's directory
  /// program: its files, run from the shipped copies where the node lacks them
  std::vector<ShippedFile> shipped;
  bool operator==(const SpawnRequest&) const = default;
};
struct SpawnReply {
  uint64_t request_id = 0;
  Errc status = Errc::ok;
  std::string error;
  bool need_library = false;  ///< resend the request with the library bytes
  std::vector<std::string> need_files;  ///< hashes of shipped files to resend with their content
  uint64_t executor_id = 0;
  int32_t pid = 0;
  std::vector<std::byte> executor_address;  ///< worker: UCX worker address of its main thread
  std::vector<std::byte> executor_key;  ///< worker: secret to present in ExecutorHello
  bool operator==(const SpawnReply&) const = default;
};
struct TokenUpdate {  ///< client -> spawner after a renewal
  lease::Token token;
  bool operator==(const TokenUpdate&) const = default;
};
struct KillExecutor {
  uint64_t executor_id = 0;
  bool operator==(const KillExecutor&) const = default;
};
enum class Stream : uint8_t { out = 1, err = 2 };
struct ExecutorOutput {
  uint64_t executor_id = 0;
  Stream stream = Stream::out;
  std::string data;  ///< whole lines
  bool operator==(const ExecutorOutput&) const = default;
};
struct ExecutorExit {
  uint64_t executor_id = 0;
  int32_t exit_code = 0;
  int32_t signal = 0;
  std::string reason;
  Usage usage;
  bool operator==(const ExecutorExit&) const = default;
};

// ---- client <-> ferry-worker ----
struct ExecutorHello {
  std::vector<std::byte> key;
  std::vector<std::string> functions;  ///< names to resolve, in index order
  bool operator==(const ExecutorHello&) const = default;
};
struct ExecutorWelcome {
  Errc status = Errc::ok;
  std::string error;
  std::vector<std::vector<std::byte>> thread_addresses;  ///< UCX worker address per thread
  bool operator==(const ExecutorWelcome&) const = default;
};

// ---- client <-> manager: MPI names (MPI_Publish_name and friends) ----
// Names are scoped to `user`: one user never sees another's. The manager keeps a name
// while the connection that published it lives.
struct NamePublish {
  uint64_t request_id = 0;
  std::string user;
  std::string service;
  std::string port;
  bool operator==(const NamePublish&) const = default;
};
struct NameLookup {
  uint64_t request_id = 0;
  std::string user;
  std::string service;
  bool operator==(const NameLookup&) const = default;
};
struct NameUnpublish {
  uint64_t request_id = 0;
  std::string user;
  std::string service;
  std::string port;
  bool operator==(const NameUnpublish&) const = default;
};
struct NameReply {  ///< answers each of the three; `port` is the lookup's result
  uint64_t request_id = 0;
  Errc status = Errc::ok;
  std::string error;
  std::string port;
  bool operator==(const NameReply&) const = default;
};

using Message = std::variant<RegisterSpawner, RegisterReply, Heartbeat, LeaseRevoke, UsageReport,
                             LeaseRequest, LeaseReply, LeaseRenew, LeaseRelease, StatusRequest,
                             StatusReply, SpawnRequest, SpawnReply, TokenUpdate, KillExecutor,
                             ExecutorOutput, ExecutorExit, ExecutorHello, ExecutorWelcome,
                             NamePublish, NameLookup, NameUnpublish, NameReply, SpawnerLeaving>;

/// Encodes one message with its frame.
std::vector<std::byte> encode(const Message& message);
/// Decodes one framed message; throws Error(Errc::protocol) on anything malformed.
Message decode(std::span<const std::byte> bytes);
/// Name of the message's type, for logs and errors.
std::string_view message_name(const Message& message) noexcept;

}  // namespace ferry::wire
