#include "runtime/client/shipment.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <sstream>
#include <string_view>

#include "runtime/common/captured_run.hpp"
#include "runtime/common/error.hpp"
#include "runtime/common/file_bytes.hpp"
#include "runtime/common/sha256.hpp"

namespace ferry::client {

namespace {

/// The C library and its loader are one release with each node's kernel interface and
/// must match each other: a node's own are used, never shipped ones.
bool belongs_to_the_c_library(std::string_view path) {
  const std::string_view name = path.substr(path.rfind('/') + 1);
  static constexpr std::array<std::string_view, 10> names = {
      "libc.so.6",  "libm.so.6",      "libpthread.so.0", "libdl.so.2",     "librt.so.1",
      "libutil.so.1", "libresolv.so.2", "libmvec.so.1",   "libanl.so.1", "libnsl.so.1"};
  return name.starts_with("ld-linux") || std::find(names.begin(), names.end(), name) != names.end();
}

std::vector<std::string> loader_environment(const std::vector<std::string>& environment) {
  std::vector<std::string> kept;
  for (const std::string& entry : environment) {
    if (!entry.starts_with("LD_PRELOAD=") && !entry.starts_with("LD_TRACE_") && !entry.starts_with("LD_AUDIT=")) {
      kept.push_back(entry);
    }
  }
  return kept;
}

/// The libraries the dynamic loader resolves for `path`, as `ldd` lists them: lines
/// `name => /path (address)`; a static executable has none.
std::vector<std::string> resolved_libraries(const std::string& path, const std::vector<std::string>& environment) {
  const std::vector<std::string> env = loader_environment(environment);
  const CapturedRun run = run_captured({"ldd", path}, &env);
  if (run.exit_code != 0) {
    if (run.out.find("not a dynamic executable") != std::string::npos ||
        run.err.find("not a dynamic executable") != std::string::npos) {
      return {};
    }
    throw Error(Errc::system, "ldd " + path + " failed: " + run.err);
  }
  std::vector<std::string> libraries;
  std::istringstream lines(run.out);
  for (std::string line; std::getline(lines, line);) {
    const size_t arrow = line.find(" => ");
    if (arrow == std::string::npos) continue;
    const std::string target = line.substr(arrow + 4);
    if (target.starts_with("not found")) {
      std::string name = line.substr(0, arrow);
      name.erase(0, name.find_first_not_of(" \t"));
      throw Error(Errc::not_found, path + " needs " + name + ", which the dynamic loader does not find here");
    }
    const size_t end = target.find(" (");
    std::string library = target.substr(0, end);
    if (library.starts_with('/') && !belongs_to_the_c_library(library)) libraries.push_back(std::move(library));
  }
  return libraries;
}

wire::ShippedFile listed(const std::string& path, bool program) {
  const std::optional<std::vector<std::byte>> content = read_file_bytes(path);
  if (!content) throw Error(Errc::not_found, "cannot read '" + path + "' to ship it");
  return wire::ShippedFile{path, sha256_hex(*content), program, {}};
}

}  // namespace

std::vector<wire::ShippedFile> program_shipment(const std::string& path, const std::vector<std::string>& environment) {
  std::vector<wire::ShippedFile> files{listed(path, true)};
  for (const std::string& library : resolved_libraries(path, environment)) {
    const bool twice = std::any_of(files.begin(), files.end(), [&](const auto& file) { return file.path == library; });
    if (!twice) files.push_back(listed(library, false));
  }
  return files;
}

void fill_shipment_content(std::vector<wire::ShippedFile>& files, const std::vector<std::string>& hashes) {
  for (const std::string& hash : hashes) {
    auto file = std::find_if(files.begin(), files.end(), [&](const auto& f) { return f.hash == hash; });
    if (file == files.end()) throw Error(Errc::invalid_argument, "a spawner asked for a file that was not shipped: " + hash);
    std::optional<std::vector<std::byte>> content = read_file_bytes(file->path);
    if (!content || sha256_hex(*content) != file->hash) {
      throw Error(Errc::system, "'" + file->path + "' changed while it was being shipped");
    }
    file->content = std::move(*content);
  }
}

}  // namespace ferry::client
