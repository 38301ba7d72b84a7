#include "spawner/process/warm_start.hpp"

#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <sstream>

#include "runtime/common/error.hpp"
#include "runtime/common/hex.hpp"

namespace ferry::spawner {

namespace {
constexpr size_t max_record_bytes = 16384;

unsigned parse_count(const std::string& field, const std::string& text) {
  unsigned value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) {
    throw Error(Errc::protocol, "warm start: malformed " + field + " '" + text + "'");
  }
  return value;
}

std::vector<int> parse_cpus(const std::string& text) {
  std::vector<int> cpus;
  std::istringstream list(text);
  for (std::string cpu; std::getline(list, cpu, ',');) {
    const unsigned value = parse_count("cpu", cpu);
    if (value >= CPU_SETSIZE) throw Error(Errc::protocol, "warm start: cpu " + cpu + " is out of range");
    cpus.push_back(static_cast<int>(value));
  }
  return cpus;
}
/// A one-buffer message with room for one descriptor; points into itself, so it stays put.
struct DescriptorMessage {
  DescriptorMessage(void* bytes, size_t size) : data{bytes, size} {
    header.msg_iov = &data;
    header.msg_iovlen = 1;
    header.msg_control = control.data();
    header.msg_controllen = control.size();
  }
  DescriptorMessage(const DescriptorMessage&) = delete;
  DescriptorMessage& operator=(const DescriptorMessage&) = delete;

  iovec data;
  alignas(cmsghdr) std::array<char, CMSG_SPACE(sizeof(int))> control{};
  msghdr header{};
};
}  // namespace

std::string encode_warm_start(const WarmStart& start) {
  if (start.working_directory.find('\n') != std::string::npos) {
    throw Error(Errc::invalid_argument, "warm start: the directory's name holds a line break");
  }
  std::string cpus;
  for (const int cpu : start.cpus) cpus += (cpus.empty() ? "" : ",") + std::to_string(cpu);
  return "key " + to_hex(start.key) + "\nthreads " + std::to_string(start.threads) + "\nmode " +
         std::string(ucx::wait_mode_name(start.mode)) + "\ncpus " + cpus + "\ndirectory " + start.working_directory +
         "\n";
}

WarmStart decode_warm_start(const std::string& text) {
  WarmStart start;
  std::istringstream lines(text);
  bool seen[5] = {};
  for (std::string line; std::getline(lines, line);) {
    const auto space = line.find(' ');
    if (space == std::string::npos) throw Error(Errc::protocol, "warm start: malformed line '" + line + "'");
    const std::string name = line.substr(0, space);
    const std::string value = line.substr(space + 1);
    if (name == "key") {
      auto key = from_hex(value);
      if (!key || key->empty()) throw Error(Errc::protocol, "warm start: the key is not hex");
      start.key = std::move(*key);
      seen[0] = true;
    } else if (name == "threads") {
      start.threads = parse_count(name, value);
      if (start.threads == 0) throw Error(Errc::protocol, "warm start: no threads");
      seen[1] = true;
    } else if (name == "mode") {
      try {
        start.mode = ucx::parse_wait_mode(value);
      } catch (const Error& error) {
        throw Error(Errc::protocol, std::string("warm start: ") + error.what());
      }
      seen[2] = true;
    } else if (name == "cpus") {
      start.cpus = parse_cpus(value);
      seen[3] = true;
    } else if (name == "directory") {
      if (value.empty() || value.front() != '/') throw Error(Errc::protocol, "warm start: the directory is not absolute");
      start.working_directory = value;
      seen[4] = true;
    } else {
      throw Error(Errc::protocol, "warm start: unknown field '" + name + "'");
    }
  }
  for (const bool field : seen) {
    if (!field) throw Error(Errc::protocol, "warm start: a field is missing");
  }
  return start;
}

void send_warm_start(int socket, const WarmStart& start, int library_fd) {
  std::string record = encode_warm_start(start);
  DescriptorMessage message(record.data(), record.size());
  cmsghdr* attached = CMSG_FIRSTHDR(&message.header);
  attached->cmsg_level = SOL_SOCKET;
  attached->cmsg_type = SCM_RIGHTS;
  attached->cmsg_len = CMSG_LEN(sizeof(int));
  std::memcpy(CMSG_DATA(attached), &library_fd, sizeof(int));
  ssize_t sent = 0;
  do {
    sent = ::sendmsg(socket, &message.header, MSG_NOSIGNAL);
  } while (sent < 0 && errno == EINTR);
  if (sent < 0) throw_system_error("sendmsg to a warm ferry-worker");
}

std::optional<ReceivedWarmStart> receive_warm_start(int socket) {
  std::string record(max_record_bytes, '\0');
  DescriptorMessage message(record.data(), record.size());
  ssize_t got = 0;
  do {
    got = ::recvmsg(socket, &message.header, MSG_CMSG_CLOEXEC);
  } while (got < 0 && errno == EINTR);
  if (got < 0) throw_system_error("recvmsg from the spawner");
  if (got == 0) return std::nullopt;
  ReceivedWarmStart received;
  const cmsghdr* attached = CMSG_FIRSTHDR(&message.header);
  if (attached != nullptr && attached->cmsg_level == SOL_SOCKET && attached->cmsg_type == SCM_RIGHTS &&
      attached->cmsg_len == CMSG_LEN(sizeof(int))) {
    int fd = -1;
    std::memcpy(&fd, CMSG_DATA(attached), sizeof(int));
    received.library.reset(fd);
  }
  if ((message.header.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) != 0) throw Error(Errc::protocol, "warm start: record truncated");
  if (!received.library) throw Error(Errc::protocol, "warm start: no library descriptor attached");
  record.resize(static_cast<size_t>(got));
  received.start = decode_warm_start(record);
  return received;
}

}  // namespace ferry::spawner
