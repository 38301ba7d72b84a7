#pragma once
// The shared file pointer of a hybrid file: one counter, in etypes of the view, for every
// rank of the file's group. It lives in a hidden side file next to the data file, made by
// the first rank that moves the pointer (a missing or empty side file reads as 0), and is
// read and changed under an fcntl lock, so ranks on any node of a shared file system that
// honours POSIX locks see one consistent value.

#include <cstdint>
#include <string>
#include <utility>

namespace ferry::mpi {

class SharedPointer {
 public:
  /// A side file name for a file this process opens: next to `data_path`, unique to the
  /// opening (host, process, count). One rank picks it; the others are told.
  static std::string path_beside(const std::string& data_path);

  /// The pointer kept in `path`; nothing is touched until it is used.
  explicit SharedPointer(std::string path) noexcept : path_(std::move(path)) {}
  ~SharedPointer();
  SharedPointer(const SharedPointer&) = delete;
  SharedPointer& operator=(const SharedPointer&) = delete;

  /// Adds `delta` and returns the value before, as one atomic step. Throws ferry::Error
  /// when the side file cannot be made or used; so do load() and store().
  int64_t fetch_add(int64_t delta);
  int64_t load();
  void store(int64_t value);
  /// Back to 0, without making the side file when there is none.
  void reset();
  /// Removes the side file, if any (one rank, once the file is closed everywhere).
  void remove() noexcept;

 private:
  class Locked;
  /// Opens the side file (making it when `create`); false when it does not exist.
  bool open(bool create);
  int64_t read_locked();
  void write_locked(int64_t value);

  int fd_ = -1;
  std::string path_;
};

}  // namespace ferry::mpi
