#include "mpi_shim/io/shared_pointer.hpp"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <utility>
#include <vector>

#include "runtime/common/error.hpp"

namespace ferry::mpi {

namespace {

std::string side_file_template(const std::string& name) {
  // A prefix that names a file system ("ufs:/scratch/x") is not part of the path.
  const size_t colon = name.find(':');
  const bool prefixed = colon != std::string::npos && colon < name.find('/');
  const std::string data_path = prefixed ? name.substr(colon + 1) : name;
  const size_t slash = data_path.rfind('/');
  const std::string directory = slash == std::string::npos ? "." : data_path.substr(0, slash);
  const std::string base = slash == std::string::npos ? data_path : data_path.substr(slash + 1);
  return directory + "/." + base + ".ferry-shared-pointer-XXXXXX";
}

void write_value(int fd, int64_t value) {
  if (::pwrite(fd, &value, sizeof value, 0) != ssize_t(sizeof value)) throw_system_error("shared file pointer write");
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

std::string SharedPointer::create_beside(const std::string& data_path) {
  std::string path = side_file_template(data_path);
  std::vector<char> name(path.begin(), path.end());
  name.push_back('\0');
  const int fd = ::mkstemp(name.data());
  if (fd < 0) throw_system_error("creating the shared file pointer beside " + data_path);
  try {
    write_value(fd, 0);
  } catch (...) {
    ::close(fd);
    ::unlink(name.data());
    throw;
  }
  ::close(fd);
  return name.data();
}

SharedPointer::SharedPointer(std::string path) : fd_(::open(path.c_str(), O_RDWR | O_CLOEXEC)), path_(std::move(path)) {
  if (fd_ < 0) throw_system_error("opening the shared file pointer " + path_);
}

SharedPointer::~SharedPointer() { ::close(fd_); }

int64_t SharedPointer::load() {
  Locked lock(fd_);
  int64_t value = 0;
  if (::pread(fd_, &value, sizeof value, 0) != ssize_t(sizeof value)) throw_system_error("shared file pointer read");
  return value;
}

void SharedPointer::store(int64_t value) {
  Locked lock(fd_);
  write_value(fd_, value);
}

int64_t SharedPointer::fetch_add(int64_t delta) {
  Locked lock(fd_);
  int64_t value = 0;
  if (::pread(fd_, &value, sizeof value, 0) != ssize_t(sizeof value)) throw_system_error("shared file pointer read");
  write_value(fd_, value + delta);
  return value;
}

}  // namespace ferry::mpi
