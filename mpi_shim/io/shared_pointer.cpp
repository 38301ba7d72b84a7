#include "mpi_shim/io/shared_pointer.hpp"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>

#include "runtime/common/error.hpp"

namespace ferry::mpi {

namespace {

std::string host_name() {
  char name[256] = "";
  if (::gethostname(name, sizeof name - 1) != 0) return "host";
  return name;
}

}  // namespace

/// The whole side file locked for writing for the object's lifetime.
class SharedPointer::Locked {
 public:
  explicit Locked(int fd) : fd_(fd) { set(F_WRLCK); }
  ~Locked() {
    try {
      set(F_UNLCK);
    } catch (const Error& error) {
      std::fprintf(stderr, "ferry: %s\n", error.what());
    }
  }
  Locked(const Locked&) = delete;
  Locked& operator=(const Locked&) = delete;

 private:
  void set(short type) const {
    struct flock range {};
    range.l_type = type;
    range.l_whence = SEEK_SET;
    while (::fcntl(fd_, F_SETLKW, &range) != 0) {
      if (errno != EINTR) throw_system_error("shared file pointer lock");
    }
  }
  int fd_;
};

std::string SharedPointer::path_beside(const std::string& data_path) {
  static std::atomic<unsigned> openings{0};
  // A prefix that names a file system ("ufs:/scratch/x") is not part of the path.
  const size_t colon = data_path.find(':');
  const bool prefixed = colon != std::string::npos && colon < data_path.find('/');
  const std::string path = prefixed ? data_path.substr(colon + 1) : data_path;
  const size_t slash = path.rfind('/');
  const std::string directory = slash == std::string::npos ? "." : path.substr(0, slash);
  const std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  return directory + "/." + base + ".ferry-shared-pointer-" + host_name() + "-" + std::to_string(::getpid()) + "-" +
         std::to_string(openings++);
}

SharedPointer::~SharedPointer() {
  if (fd_ >= 0) ::close(fd_);
}

bool SharedPointer::open(bool create) {
  if (fd_ >= 0) return true;
  fd_ = ::open(path_.c_str(), O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0), 0600);
  if (fd_ >= 0) return true;
  if (!create && errno == ENOENT) return false;
  throw_system_error("opening the shared file pointer " + path_);
}

int64_t SharedPointer::read_locked() {
  int64_t value = 0;
  const ssize_t got = ::pread(fd_, &value, sizeof value, 0);
  if (got == 0) return 0;
  if (got != ssize_t(sizeof value)) throw_system_error("reading the shared file pointer " + path_);
  return value;
}

void SharedPointer::write_locked(int64_t value) {
  if (::pwrite(fd_, &value, sizeof value, 0) != ssize_t(sizeof value)) {
    throw_system_error("writing the shared file pointer " + path_);
  }
}

int64_t SharedPointer::fetch_add(int64_t delta) {
  open(true);
  Locked lock(fd_);
  const int64_t value = read_locked();
  write_locked(value + delta);
  return value;
}

int64_t SharedPointer::load() {
  if (!open(false)) return 0;
  Locked lock(fd_);
  return read_locked();
}

void SharedPointer::store(int64_t value) {
  open(true);
  Locked lock(fd_);
  write_locked(value);
}

void SharedPointer::reset() {
  if (!open(false)) return;
  Locked lock(fd_);
  write_locked(0);
}

void SharedPointer::remove() noexcept { ::unlink(path_.c_str()); }

}  // namespace ferry::mpi
