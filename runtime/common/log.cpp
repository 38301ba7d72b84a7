#include "runtime/common/log.hpp"

#include <cstdlib>
#include <string>

namespace ferry::log {

void init(const char* process_name, spdlog::level::level_enum fallback) {
  auto level = fallback;
  if (const char* env = std::getenv("FERRY_LOG"); env != nullptr && *env != '\0') {
    level = spdlog::level::from_str(env);
  }
  spdlog::set_level(level);
  spdlog::set_pattern(std::string("[%H:%M:%S.%e] [") + process_name + " %P] [%^%l%$] %v");
}

}  // namespace ferry::log
