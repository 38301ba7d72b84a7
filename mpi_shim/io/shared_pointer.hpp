#pragma once
// The shared file pointer of a hybrid file: one counter, in etypes of the view, for every
// rank of the file's group. It lives in a hidden side file next to the data file and is
// read and changed under an fcntl lock, so ranks on any node of a shared file system that
// honours POSIX locks see one consistent value.

#include <cstdint>
#include <string>

namespace ferry::mpi {

class SharedPointer {
 public:
  /// Creates a side file holding 0 next to `data_path` (one rank does this) and returns
  /// its path; throws ferry::Error when it cannot.
  static std::string create_beside(const std::string& data_path);

  /// Opens the side file `path` made by create_beside(); throws ferry::Error on failure.
  explicit SharedPointer(std::string path);
  ~SharedPointer();
  SharedPointer(const SharedPointer&) = delete;
  SharedPointer& operator=(const SharedPointer&) = delete;

  /// Adds `delta` and returns the value before, as one atomic step.
  int64_t fetch_add(int64_t delta);
  int64_t load();
  void store(int64_t value);
  const std::string& path() const noexcept { return path_; }

 private:
  class Locked;
  int fd_ = -1;
  std::string path_;
};

}  // namespace ferry::mpi
