#include "runtime/common/log.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>

#include <atomic>
#include <cstdlib>
#include <string>

namespace ferry::log {

namespace {
std::atomic<bool> initialized{false};
}

void ensure_initialized(const char* process_name) {
  if (!initialized.load()) init(process_name);
}

void init(const char* process_name, spdlog::level::level_enum fallback) {
  initialized = true;
  // Logs go to stderr: a daemon's stdout carries its address, a client's the results.
  if (!spdlog::get("ferry")) spdlog::set_default_logger(spdlog::stderr_color_mt("ferry"));
  auto level = fallback;
  if (const char* env = std::getenv("FERRY_LOG"); env != nullptr && *env != '\0') {
    level = spdlog::level::from_str(env);
  }
  spdlog::set_level(level);
  spdlog::set_pattern(std::string("[%H:%M:%S.%e] [") + process_name + " %P] [%^%l%$] %v");
}

}  // namespace ferry::log
