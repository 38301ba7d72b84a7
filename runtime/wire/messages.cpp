#include "runtime/wire/messages.hpp"

#include <array>
#include <concepts>
#include <span>
#include <type_traits>
#include <utility>

#include "runtime/wire/codec.hpp"

namespace ferry::wire {
namespace {

constexpr size_t kib = 1024;
constexpr size_t mib = 1024 * kib;
constexpr size_t max_string = 64 * kib;
constexpr size_t max_blob = 64 * kib;
constexpr size_t max_output = 1 * mib;
constexpr size_t max_status_json = 4 * mib;
constexpr size_t max_library = 256 * mib;
constexpr size_t max_address = 4 * kib;
constexpr size_t max_list = 4096;
constexpr size_t max_name = 4 * kib;
constexpr size_t max_credential = 4 * kib;  // a munge credential of a small payload is ~200 bytes

constexpr size_t header_size = 8;
constexpr size_t body_length_offset = 4;

// The type byte on the wire is 1 + the index in Message: new messages go at the end.
constexpr std::array<std::string_view, std::variant_size_v<Message>> names = {
    "RegisterSpawner", "RegisterReply", "Heartbeat",     "LeaseRevoke",    "UsageReport",
    "LeaseRequest",    "LeaseReply",    "LeaseRenew",    "LeaseRelease",   "StatusRequest",
    "StatusReply",     "SpawnRequest",  "SpawnReply",    "TokenUpdate",    "KillExecutor",
    "ExecutorOutput",  "ExecutorExit",  "ExecutorHello", "ExecutorWelcome", "NamePublish",
    "NameLookup",      "NameUnpublish", "NameReply",     "SpawnerLeaving"};

template <class M, class T>
concept Of = std::same_as<std::remove_const_t<M>, T>;

// Each type lists its fields once, in wire order, for a visitor `v(name, field[, limit])`
// that either encodes (const message) or decodes (mutable message). Strings and blobs
// without a limit get max_string / max_blob; a list's limit applies to each element.

void fields(auto& v, Of<Usage> auto& m) {
  v("wall_ns", m.wall_ns);
  v("cpu_ns", m.cpu_ns);
  v("hot_poll_ns", m.hot_poll_ns);
  v("peak_memory_kib", m.peak_memory_kib);
}

void fields(auto& v, Of<lease::Token> auto& m) {
  v("lease_id", m.lease_id);
  v("spawner_id", m.spawner_id);
  v("cores", m.cores);
  v("memory_mib", m.memory_mib);
  v("expiry_unix_ms", m.expiry_unix_ms);
  v("owner", m.owner);
  v("owner_uid", m.owner_uid);
  v("owner_gid", m.owner_gid);
  v("owner_user", m.owner_user, max_name);
  v("owner_proof", m.owner_proof);
  v("mac", m.mac);
}

void fields(auto& v, Of<RegisterSpawner> auto& m) {
  v("spawner_id", m.spawner_id);
  v("address", m.address);
  v("cores", m.cores);
  v("memory_mib", m.memory_mib);
  v("node", m.node);
  v("leases", m.leases);
  v("highest_lease_id", m.highest_lease_id);
}

void fields(auto& v, Of<RegisterReply> auto& m) {
  v("status", m.status);
  v("error", m.error);
  v("heartbeat_ms", m.heartbeat_ms);
}

void fields(auto& v, Of<Heartbeat> auto& m) {
  v("spawner_id", m.spawner_id);
  v("cores_used", m.cores_used);
  v("memory_used_mib", m.memory_used_mib);
}

void fields(auto& v, Of<LeaseRevoke> auto& m) {
  v("lease_id", m.lease_id);
  v("reason", m.reason);
}

void fields(auto& v, Of<SpawnerLeaving> auto& m) {
  v("spawner_id", m.spawner_id);
  v("reason", m.reason);
}

void fields(auto& v, Of<UsageReport> auto& m) {
  v("lease_id", m.lease_id);
  v("executor_id", m.executor_id);
  v("usage", m.usage);
}

void fields(auto& v, Of<LeaseRequest> auto& m) {
  v("request_id", m.request_id);
  v("owner", m.owner);
  v("cores", m.cores);
  v("memory_mib", m.memory_mib);
  v("duration_ms", m.duration_ms);
  v("placement", m.placement);
  v("claimed_uid", m.claimed_uid);
  v("claimed_gid", m.claimed_gid);
  v("claimed_user", m.claimed_user, max_name);
  v("credential", m.credential, max_credential);
}

void fields(auto& v, Of<LeaseReply> auto& m) {
  v("request_id", m.request_id);
  v("status", m.status);
  v("error", m.error);
  v("token", m.token);
  v("spawner_address", m.spawner_address);
}

void fields(auto& v, Of<LeaseRenew> auto& m) {
  v("request_id", m.request_id);
  v("lease_id", m.lease_id);
  v("duration_ms", m.duration_ms);
  v("proof", m.proof);
}

void fields(auto& v, Of<LeaseRelease> auto& m) {
  v("lease_id", m.lease_id);
  v("proof", m.proof);
}

void fields(auto& v, Of<StatusRequest> auto& m) { v("request_id", m.request_id); }

void fields(auto& v, Of<StatusReply> auto& m) {
  v("request_id", m.request_id);
  v("json", m.json, max_status_json);
}

void fields(auto& v, Of<ShippedFile> auto& m) {
  v("path", m.path);
  v("hash", m.hash);
  v("program", m.program);
  v("content", m.content, max_library);
}

void fields(auto& v, Of<SpawnRequest> auto& m) {
  v("request_id", m.request_id);
  v("token", m.token);
  v("cores", m.cores);
  v("memory_mib", m.memory_mib);
  v("kind", m.kind);
  v("argv", m.argv);
  v("env", m.env);
  v("wait_mode", m.wait_mode);
  v("library_hash", m.library_hash);
  v("library", m.library, max_library);
  v("working_directory", m.working_directory);
  v("shipped", m.shipped);
}

void fields(auto& v, Of<SpawnReply> auto& m) {
  v("request_id", m.request_id);
  v("status", m.status);
  v("error", m.error);
  v("need_library", m.need_library);
  v("need_files", m.need_files);
  v("executor_id", m.executor_id);
  v("pid", m.pid);
  v("executor_address", m.executor_address, max_address);
  v("executor_key", m.executor_key);
}

void fields(auto& v, Of<TokenUpdate> auto& m) { v("token", m.token); }

void fields(auto& v, Of<KillExecutor> auto& m) { v("executor_id", m.executor_id); }

void fields(auto& v, Of<ExecutorOutput> auto& m) {
  v("executor_id", m.executor_id);
  v("stream", m.stream);
  v("data", m.data, max_output);
}

void fields(auto& v, Of<ExecutorExit> auto& m) {
  v("executor_id", m.executor_id);
  v("exit_code", m.exit_code);
  v("signal", m.signal);
  v("reason", m.reason);
  v("usage", m.usage);
}

void fields(auto& v, Of<ExecutorHello> auto& m) {
  v("key", m.key);
  v("functions", m.functions);
}

void fields(auto& v, Of<ExecutorWelcome> auto& m) {
  v("status", m.status);
  v("error", m.error);
  v("thread_addresses", m.thread_addresses, max_address);
}

void fields(auto& v, Of<NamePublish> auto& m) {
  v("request_id", m.request_id);
  v("user", m.user, max_name);
  v("service", m.service, max_name);
  v("port", m.port, max_name);
}

void fields(auto& v, Of<NameLookup> auto& m) {
  v("request_id", m.request_id);
  v("user", m.user, max_name);
  v("service", m.service, max_name);
}

void fields(auto& v, Of<NameUnpublish> auto& m) {
  v("request_id", m.request_id);
  v("user", m.user, max_name);
  v("service", m.service, max_name);
  v("port", m.port, max_name);
}

void fields(auto& v, Of<NameReply> auto& m) {
  v("request_id", m.request_id);
  v("status", m.status);
  v("error", m.error);
  v("port", m.port, max_name);
}

// Without a default label, -Wswitch makes a new enumerator a compile error here.
bool known(Errc code) {
  switch (code) {
    case Errc::ok:
    case Errc::invalid_argument:
    case Errc::protocol:
    case Errc::unauthorized:
    case Errc::expired:
    case Errc::no_resources:
    case Errc::unreachable:
    case Errc::timeout:
    case Errc::executor_dead:
    case Errc::function_failed:
    case Errc::not_found:
    case Errc::system:
    case Errc::transport:
      return true;
  }
  return false;
}

bool known(SpawnKind kind) {
  switch (kind) {
    case SpawnKind::worker:
    case SpawnKind::program:
      return true;
  }
  return false;
}

bool known(lease::OwnerProof proof) {
  switch (proof) {
    case lease::OwnerProof::none:
    case lease::OwnerProof::claimed:
    case lease::OwnerProof::munge:
      return true;
  }
  return false;
}

bool known(Stream stream) {
  switch (stream) {
    case Stream::out:
    case Stream::err:
      return true;
  }
  return false;
}

template <class T>
concept Enum = std::is_enum_v<T>;

class Encoder {
 public:
  Encoder(Writer& writer, std::string_view message) : writer_(writer), message_(message) {}

  void operator()(std::string_view, uint8_t value) { writer_.u8(value); }
  void operator()(std::string_view, uint32_t value) { writer_.u32(value); }
  void operator()(std::string_view, uint64_t value) { writer_.u64(value); }
  void operator()(std::string_view, int32_t value) { writer_.i32(value); }
  void operator()(std::string_view, bool value) { writer_.boolean(value); }
  template <Enum E>
  void operator()(std::string_view field, E value) {
    (*this)(field, static_cast<std::underlying_type_t<E>>(value));
  }
  void operator()(std::string_view field, const std::string& value, size_t limit = max_string) {
    check(field, value.size(), limit, "bytes");
    writer_.string(value);
  }
  void operator()(std::string_view field, const std::vector<std::byte>& value,
                  size_t limit = max_blob) {
    check(field, value.size(), limit, "bytes");
    writer_.bytes(value);
  }
  void operator()(std::string_view, const lease::Mac& mac) {
    writer_.raw(std::as_bytes(std::span(mac)));
  }
  template <class T>
  void operator()(std::string_view field, const std::vector<T>& list, size_t limit = max_string) {
    check(field, list.size(), max_list, "elements");
    writer_.list(list, [&](const T& item) { (*this)(field, item, limit); });
  }
  void operator()(std::string_view, const Usage& group) { fields(*this, group); }
  void operator()(std::string_view, const lease::Token& group, size_t = 0) { fields(*this, group); }
  void operator()(std::string_view, const ShippedFile& group, size_t = 0) { fields(*this, group); }

 private:
  void check(std::string_view field, size_t size, size_t limit, std::string_view unit) const {
    if (size <= limit) return;
    throw Error(Errc::invalid_argument, "wire: cannot encode " + std::string(message_) + "." +
                                            std::string(field) + ": " + std::to_string(size) + " " +
                                            std::string(unit) + " exceed the limit of " +
                                            std::to_string(limit));
  }

  Writer& writer_;
  std::string_view message_;
};

class Decoder {
 public:
  Decoder(Reader& reader, std::string_view message) : reader_(reader), message_(message) {
    reader_.set_context(message_);
  }

  void operator()(std::string_view field, uint8_t& value) { value = reader_.u8(field); }
  void operator()(std::string_view field, uint32_t& value) { value = reader_.u32(field); }
  void operator()(std::string_view field, uint64_t& value) { value = reader_.u64(field); }
  void operator()(std::string_view field, int32_t& value) { value = reader_.i32(field); }
  void operator()(std::string_view field, bool& value) { value = reader_.boolean(field); }
  template <Enum E>
  void operator()(std::string_view field, E& value) {
    const size_t at = reader_.offset();
    std::underlying_type_t<E> raw{};
    (*this)(field, raw);
    value = static_cast<E>(raw);
    if (!known(value)) reader_.fail_at(at, field, "unknown value " + std::to_string(raw));
  }
  void operator()(std::string_view field, std::string& value, size_t limit = max_string) {
    value = reader_.string(field, limit);
  }
  void operator()(std::string_view field, std::vector<std::byte>& value, size_t limit = max_blob) {
    value = reader_.bytes(field, limit);
  }
  void operator()(std::string_view field, lease::Mac& mac) {
    reader_.raw(field, std::as_writable_bytes(std::span(mac)));
  }
  template <class T>
  void operator()(std::string_view field, std::vector<T>& list, size_t limit = max_string) {
    list = reader_.list<T>(field, max_list, [&] {
      T item;
      (*this)(field, item, limit);
      return item;
    });
  }
  void operator()(std::string_view field, Usage& group) { read_group(field, group); }
  void operator()(std::string_view field, lease::Token& group, size_t = 0) { read_group(field, group); }
  void operator()(std::string_view field, ShippedFile& group, size_t = 0) { read_group(field, group); }

 private:
  void read_group(std::string_view field, auto& group) {
    reader_.set_context(message_, field);
    fields(*this, group);
    reader_.set_context(message_);
  }

  Reader& reader_;
  std::string_view message_;
};

/// Checks the frame header and returns the index in Message of the body's type.
size_t read_header(Reader& reader) {
  reader.set_context("frame");
  if (const uint16_t found = reader.u16("magic"); found != magic) {
    reader.fail_at(0, "magic", "not a Ferry message (magic " + std::to_string(found) + ")");
  }
  if (const uint8_t version = reader.u8("version"); version != protocol_version) {
    reader.fail_at(2, "version", "unknown protocol version " + std::to_string(version));
  }
  const uint8_t type = reader.u8("type");
  if (type == 0 || type > names.size()) {
    reader.fail_at(3, "type", "unknown message type " + std::to_string(type));
  }
  if (const uint32_t length = reader.u32("body length"); length != reader.remaining()) {
    reader.fail_at(body_length_offset, "body length",
                   "says " + std::to_string(length) + " bytes but " +
                       std::to_string(reader.remaining()) + " follow");
  }
  return type - 1;
}

template <size_t I>
Message decode_alternative(Reader& reader) {
  std::variant_alternative_t<I, Message> body;
  Decoder decoder(reader, names[I]);
  fields(decoder, body);
  return Message(std::in_place_index<I>, std::move(body));
}

template <size_t... I>
Message decode_body(size_t index, Reader& reader, std::index_sequence<I...>) {
  static constexpr std::array<Message (*)(Reader&), sizeof...(I)> decoders = {
      &decode_alternative<I>...};
  return decoders[index](reader);
}

}  // namespace

std::vector<std::byte> encode(const Message& message) {
  Writer writer;
  writer.u16(magic);
  writer.u8(protocol_version);
  writer.u8(static_cast<uint8_t>(message.index() + 1));
  writer.u32(0);
  std::visit(
      [&](const auto& body) {
        Encoder encoder(writer, message_name(message));
        fields(encoder, body);
      },
      message);
  writer.patch_u32(body_length_offset, static_cast<uint32_t>(writer.size() - header_size));
  return writer.take();
}

Message decode(std::span<const std::byte> bytes) {
  Reader reader(bytes);
  const size_t index = read_header(reader);
  Message message =
      decode_body(index, reader, std::make_index_sequence<std::variant_size_v<Message>>{});
  reader.expect_end();
  return message;
}

std::string_view message_name(const Message& message) noexcept {
  if (message.valueless_by_exception()) return "valueless";
  return names[message.index()];
}

}  // namespace ferry::wire
