#include "spawner/daemon/shipped_files.hpp"

#include <fcntl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <optional>

#include "runtime/common/error.hpp"
#include "runtime/common/file_bytes.hpp"
#include "runtime/common/sha256.hpp"
#include "runtime/common/unique_fd.hpp"

namespace ferry::spawner {

namespace {

std::string file_name(const std::string& path) { return path.substr(path.rfind('/') + 1); }

std::string key_of(const wire::ShippedFile& file, uint32_t owner) { return std::to_string(owner) + ":" + file.hash; }

void copy_memfd(int from, const std::string& to, mode_t mode) {
  struct stat info {};
  if (::fstat(from, &info) != 0) throw_system_error("fstat of a shipped file");
  UniqueFd target(::open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode));
  if (!target && errno == EEXIST) return;
  if (!target) throw_system_error("creating " + to);
  off_t offset = 0;
  while (offset < info.st_size) {
    const ssize_t sent = ::sendfile(target.get(), from, &offset, size_t(info.st_size - offset));
    if (sent <= 0) throw_system_error("copying a shipped file to " + to);
  }
}

}  // namespace

bool ShippedFiles::on_this_node(const wire::ShippedFile& file) {
  struct stat info {};
  if (::stat(file.path.c_str(), &info) != 0 || !S_ISREG(info.st_mode) || (info.st_mode & S_IROTH) == 0) return false;
  const auto key = std::make_tuple(info.st_dev, info.st_ino, info.st_size, info.st_mtim.tv_sec, info.st_mtim.tv_nsec);
  auto known = local_hashes_.find(key);
  if (known == local_hashes_.end()) {
    const std::optional<std::vector<std::byte>> content = read_file_bytes(file.path);
    if (!content) return false;
    known = local_hashes_.emplace(key, sha256_hex(*content)).first;
  }
  return known->second == file.hash;
}

std::vector<std::string> ShippedFiles::missing(const std::vector<wire::ShippedFile>& files, uint32_t owner) {
  std::vector<std::string> hashes;
  for (const auto& file : files) {
    if (file.content.empty() && contents_.find(key_of(file, owner)) < 0 && !on_this_node(file)) hashes.push_back(file.hash);
  }
  return hashes;
}

void ShippedFiles::store(const std::vector<wire::ShippedFile>& files, uint32_t owner) {
  size_t programs = 0;
  for (const auto& file : files) {
    const std::string name = file_name(file.path);
    if (!file.path.starts_with('/') || name.empty() || name == "." || name == "..") {
      throw Error(Errc::invalid_argument, "shipped file '" + file.path + "' is not an absolute path of a file");
    }
    if (file.program) ++programs;
  }
  if (programs != 1) throw Error(Errc::invalid_argument, "a shipped program needs exactly one executable among its files");
  for (const auto& file : files) {
    if (!file.content.empty() && contents_.find(key_of(file, owner)) < 0) {
      contents_.store(key_of(file, owner), file.hash, file.content);
    }
  }
}

StagedProgram ShippedFiles::stage(const std::vector<wire::ShippedFile>& files, const std::string& directory,
                                   uint32_t owner) {
  StagedProgram staged;
  const auto program = std::find_if(files.begin(), files.end(), [](const auto& file) { return file.program; });
  if (program == files.end()) throw Error(Errc::invalid_argument, "a shipped program needs its executable among its files");
  // One directory per program: a lease that starts it again reuses the copies.
  const std::string shipped = directory + "/shipped-" + program->hash.substr(0, 16);
  for (const auto& file : files) {
    if (on_this_node(file)) continue;
    const int content = contents_.find(key_of(file, owner));
    if (content < 0) throw Error(Errc::protocol, "shipped file '" + file.path + "' came without its content");
    if (::mkdir(shipped.c_str(), 0755) != 0 && errno != EEXIST) throw_system_error("mkdir " + shipped);
    const std::string copy = shipped + "/" + file_name(file.path);
    copy_memfd(content, copy, file.program ? 0755 : 0644);
    if (file.program) {
      staged.executable = copy;
    } else {
      staged.library_directory = shipped;
    }
  }
  return staged;
}

}  // namespace ferry::spawner
