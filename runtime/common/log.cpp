#include "runtime/common/log.hpp"

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
  auto level = fallback;
  if (const char* env = std::getenv("FERRY_LOG"); env != nullptr && *env != '\0') {
    level = spdlog::level::from_str(env);
  }
  spdlog::set_level(level);
  spdlog::set_pattern(std::string("[%H:%M:%S.%e] [") + process_name + " %P] [%^%l%$] %v");
}

}  // namespace ferry::log
