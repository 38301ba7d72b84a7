#include "spawner/process/lease_directory.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <system_error>

#include "runtime/common/error.hpp"

namespace ferry::spawner {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void throw_filesystem_error(const std::string& operation, const fs::path& path,
                                         const std::error_code& error) {
  throw Error(Errc::system, operation + " " + path.string() + ": " + error.message());
}

}  // namespace

std::string lease_directory_path(const std::string& root, uint64_t lease_id) {
  return (fs::path(root) / ("lease-" + std::to_string(lease_id))).string();
}

std::string make_lease_directory(const std::string& root, uint64_t lease_id,
                                 const std::optional<ProcessIdentity>& owner) {
  const fs::path directory = lease_directory_path(root, lease_id);
  std::error_code error;
  fs::create_directories(root, error);
  if (error) throw_filesystem_error("create directory", root, error);
  fs::create_directory(directory, error);
  if (error) throw_filesystem_error("create directory", directory, error);
  // A symbolic link planted in the root must not redirect the lease elsewhere.
  if (!fs::is_directory(fs::symlink_status(directory, error))) {
    throw Error(Errc::system, "lease directory " + directory.string() + " is not a directory");
  }
  fs::permissions(directory, fs::perms::owner_all, fs::perm_options::replace, error);
  if (error) throw_filesystem_error("chmod", directory, error);
  if (owner && ::fchownat(AT_FDCWD, directory.c_str(), owner->uid, owner->gid, AT_SYMLINK_NOFOLLOW) != 0) {
    throw_filesystem_error("chown", directory, std::error_code(errno, std::generic_category()));
  }
  return directory.string();
}

size_t remove_stale_lease_directories(const std::string& root) {
  size_t removed = 0;
  std::error_code error;
  for (fs::directory_iterator it(root, error), end; !error && it != end; it.increment(error)) {
    const std::string name = it->path().filename().string();
    if (name.rfind("lease-", 0) != 0 || name.size() == 6 || name.find_first_not_of("0123456789", 6) != std::string::npos) {
      continue;
    }
    std::error_code ignored;
    if (fs::remove_all(it->path(), ignored) > 0 && !ignored) ++removed;
  }
  return removed;
}

void remove_tree(const std::string& path) {
  std::error_code error;
  fs::remove_all(path, error);
  if (error) throw_filesystem_error("remove", path, error);
}

}  // namespace ferry::spawner
