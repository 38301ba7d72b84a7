#include "runtime/lease/secret.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <optional>
#include <string_view>

#include "runtime/common/error.hpp"
#include "runtime/common/hex.hpp"
#include "runtime/common/random_bytes.hpp"
#include "runtime/common/unique_fd.hpp"

namespace ferry::lease {
namespace {

constexpr size_t hex_size = 2 * Secret::size;

/// A file created next to `target` with mode 0600, removed unless renamed onto `target`.
class TempFile {
 public:
  explicit TempFile(const std::string& target)
      : path_(target + ".XXXXXX"), fd_(::mkstemp(path_.data())) {
    // mkstemp creates the file with mode 0600 (less what the umask removes).
    if (fd_.get() < 0) throw_system_error("create a temporary file next to " + target);
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile() {
    if (!path_.empty()) ::unlink(path_.c_str());
  }

  void write(std::string_view data) {
    while (!data.empty()) {
      const ssize_t written = ::write(fd_.get(), data.data(), data.size());
      if (written < 0 && errno == EINTR) continue;
      if (written < 0) throw_system_error("write " + path_);
      data.remove_prefix(static_cast<size_t>(written));
    }
  }
  void rename_to(const std::string& target) {
    if (::fsync(fd_.get()) != 0) throw_system_error("fsync " + path_);
    if (::close(fd_.release()) != 0) throw_system_error("close " + path_);
    if (::rename(path_.c_str(), target.c_str()) != 0) {
      throw_system_error("rename " + path_ + " to " + target);
    }
    path_.clear();
  }

 private:
  std::string path_;
  UniqueFd fd_;
};

UniqueFd open_secret(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() >= 0) return fd;
  if (errno == ENOENT) throw Error(Errc::not_found, "secret file " + path + " does not exist");
  throw_system_error("open secret file " + path);
}

std::string octal(mode_t mode) {
  char digits[8];
  const auto end = std::to_chars(digits, digits + sizeof digits, mode & 07777, 8).ptr;
  std::string text = "0";  // not "0" + std::string(...): GCC 12 -O3 warns falsely (-Wrestrict)
  text.append(digits, end);
  return text;
}

void check_mode(const UniqueFd& fd, const std::string& path) {
  struct stat status {};
  if (::fstat(fd.get(), &status) != 0) throw_system_error("stat " + path);
  if (!S_ISREG(status.st_mode)) {
    throw Error(Errc::invalid_argument, "secret file " + path + " is not a regular file");
  }
  if ((status.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    throw Error(Errc::unauthorized, "secret file " + path +
                                        " is accessible by group or others (mode " +
                                        octal(status.st_mode) + "); run chmod 600 " + path);
  }
}

/// Up to `limit` bytes: enough to tell every accepted format from a longer file.
std::string read_prefix(const UniqueFd& fd, const std::string& path, size_t limit) {
  std::string contents(limit, '\0');
  size_t size = 0;
  while (size < limit) {
    const ssize_t got = ::read(fd.get(), contents.data() + size, limit - size);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) throw_system_error("read secret file " + path);
    if (got == 0) break;
    size += static_cast<size_t>(got);
  }
  contents.resize(size);
  return contents;
}

std::array<uint8_t, Secret::size> parse_secret(std::string_view contents, const std::string& path) {
  std::array<uint8_t, Secret::size> bytes{};
  if (contents.size() == Secret::size) {
    std::copy(contents.begin(), contents.end(), bytes.begin());
    return bytes;
  }
  if (contents.size() == hex_size + 1 && contents.back() == '\n') contents.remove_suffix(1);
  if (contents.size() == hex_size) {
    if (const auto parsed = from_hex(contents)) {
      std::memcpy(bytes.data(), parsed->data(), bytes.size());
      return bytes;
    }
  }
  throw Error(Errc::invalid_argument,
              "secret file " + path +
                  " must hold exactly 32 raw bytes or 64 hex digits and an optional newline");
}

}  // namespace

Secret Secret::generate() {
  Secret secret;
  fill_random(std::as_writable_bytes(std::span(secret.bytes_)));
  return secret;
}

Secret Secret::load(const std::string& path) {
  const UniqueFd fd = open_secret(path);
  check_mode(fd, path);
  Secret secret;
  secret.bytes_ = parse_secret(read_prefix(fd, path, hex_size + 2), path);
  return secret;
}

void Secret::save(const std::string& path) const {
  const std::string text = to_hex(std::as_bytes(std::span(bytes_)));
  TempFile file(path);
  file.write(text + "\n");
  file.rename_to(path);
}

}  // namespace ferry::lease
