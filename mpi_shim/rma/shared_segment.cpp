#include "mpi_shim/rma/shared_segment.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "runtime/common/error.hpp"
#include "runtime/common/unique_fd.hpp"

namespace ferry::mpi::rma {

namespace {

[[noreturn]] void fail(const std::string& operation, const std::string& name) {
  throw Error(Errc::system, operation + " of shared window segment " + name + ": " + std::strerror(errno));
}

}  // namespace

SharedSegment::SharedSegment(const std::string& name, size_t length, bool create)
    : name_(name), length_(length == 0 ? 1 : length) {
  const int flags = create ? O_RDWR | O_CREAT | O_EXCL : O_RDWR;
  UniqueFd fd(::shm_open(name.c_str(), flags, 0600));
  if (!fd) fail("shm_open", name);
  if (create && ::ftruncate(fd.get(), off_t(length_)) != 0) {
    ::shm_unlink(name.c_str());
    fail("ftruncate", name);
  }
  void* mapped = ::mmap(nullptr, length_, PROT_READ | PROT_WRITE, MAP_SHARED, fd.get(), 0);
  if (mapped == MAP_FAILED) {
    if (create) ::shm_unlink(name.c_str());
    fail("mmap", name);
  }
  data_ = static_cast<std::byte*>(mapped);
}

SharedSegment::~SharedSegment() { ::munmap(data_, length_); }

void SharedSegment::unlink() noexcept { ::shm_unlink(name_.c_str()); }

}  // namespace ferry::mpi::rma
