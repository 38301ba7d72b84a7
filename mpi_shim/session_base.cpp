#include "mpi_shim/session_base.hpp"

#include <stdlib.h>

#include <filesystem>
#include <string>
#include <system_error>

#include "runtime/common/error.hpp"

namespace ferry::mpi {

namespace {
std::string private_base;
}

std::string use_private_session_base() {
  if (!private_base.empty()) return private_base;
  if (::getenv("OMPI_MCA_orte_tmpdir_base") != nullptr) return {};
  // In the lease's directory when the spawner gave one: what a killed rank leaves there
  // goes with the lease's files.
  const char* parent = ::getenv("FERRY_LEASE_DIRECTORY");
  if (parent == nullptr || *parent == '\0') parent = ::getenv("TMPDIR");
  std::string pattern = std::string(parent != nullptr && *parent != '\0' ? parent : "/tmp") + "/ferry-rank-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) throw_system_error("mkdtemp " + pattern);
  private_base = pattern;
  ::setenv("OMPI_MCA_orte_tmpdir_base", private_base.c_str(), 1);
  return private_base;
}

void remove_private_session_base() noexcept {
  if (private_base.empty()) return;
  std::error_code ignored;
  std::filesystem::remove_all(private_base, ignored);
  private_base.clear();
}

}  // namespace ferry::mpi
