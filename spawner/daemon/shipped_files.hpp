#pragma once
// Programs shipped to this node: which of their files the node lacks, the content of those
// kept by hash (as function libraries are), and the copies a lease's program runs.

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "runtime/wire/messages.hpp"
#include "spawner/daemon/library_cache.hpp"

namespace ferry::spawner {

/// Where a lease's program runs from: its own copy and a directory of copied libraries,
/// each empty when the node's own file serves.
struct StagedProgram {
  std::string executable;
  std::string library_directory;
};

class ShippedFiles {
 public:
  /// Keeps the shipped contents in `contents` (the spawner's one cache of shipped files).
  explicit ShippedFiles(LibraryCache& contents) : contents_(contents) {}

  /// Hashes of the files whose content must be sent: not cached, not in the request, and
  /// not on this node at the same path with the same content.
  /// Each user's shipped files are kept apart: `owner` is the lease owner's uid.
  std::vector<std::string> missing(const std::vector<wire::ShippedFile>& files, uint32_t owner);
  /// Keeps the content that came with `files`. Throws Error(protocol) when a content
  /// does not match its hash, Error(invalid_argument) for a path that is not absolute.
  void store(const std::vector<wire::ShippedFile>& files, uint32_t owner);
  /// Copies into `<directory>/shipped-<hash>` each file the node lacks (all were stored).
  StagedProgram stage(const std::vector<wire::ShippedFile>& files, const std::string& directory, uint32_t owner);

 private:
  /// Whether the node has the file, at its path and readable by every user, with its content.
  bool on_this_node(const wire::ShippedFile& file);

  LibraryCache& contents_;
  /// Hashes of this node's files by (device, inode, size, modification time).
  std::map<std::tuple<dev_t, ino_t, off_t, long, long>, std::string> local_hashes_;
};

}  // namespace ferry::spawner
