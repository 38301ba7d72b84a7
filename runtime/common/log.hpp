#pragma once
// Logging goes through spdlog. Each process sets its level once from
// FERRY_LOG (trace, debug, info, warn, error, off; default warn).

#include <spdlog/spdlog.h>

namespace ferry::log {

/// Applies FERRY_LOG (or `fallback`) to the default logger and tags lines with `process_name`.
void init(const char* process_name, spdlog::level::level_enum fallback = spdlog::level::warn);

/// init() with the defaults, unless this process has called init() already (for code,
/// such as a user's program, that reaches Ferry without going through a Ferry main).
void ensure_initialized(const char* process_name);

}  // namespace ferry::log
