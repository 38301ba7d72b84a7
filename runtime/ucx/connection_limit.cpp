#include "runtime/ucx/connection_limit.hpp"

#include <sys/resource.h>

#include <ucs/config/global_opts.h>

#include <algorithm>
#include <cstdlib>
#include <string>

#include "runtime/common/log.hpp"

namespace ferry::ucx {

uint64_t allow_many_connections(uint64_t cap) {
  rlimit files{};
  if (::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &files) != 0) ::getrlimit(RLIMIT_NOFILE, &files);
  }
  if (const char* chosen = std::getenv("UCX_ASYNC_MAX_EVENTS")) return std::strtoull(chosen, nullptr, 10);
  const uint64_t watched = std::min<uint64_t>(cap, files.rlim_cur);
  if (ucs_global_opts_set_value("ASYNC_MAX_EVENTS", std::to_string(watched).c_str()) != UCS_OK) {
    spdlog::warn("cannot raise UCX's limit of watched descriptors; about 1024 connections at once will be served");
  }
  return watched;
}

}  // namespace ferry::ucx
