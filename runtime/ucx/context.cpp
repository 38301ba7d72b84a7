#include "runtime/ucx/context.hpp"

#include <cstdlib>
#include <mutex>
#include <utility>
#include <string>

#include "runtime/ucx/status.hpp"

namespace ferry::ucx {

namespace {
// Ferry's defaults, each applied only when the user has not set the variable. UCX reads
// transport settings from the environment alone, so they are set there, once, before the
// first context reads its configuration:
// - every endpoint has peer error handling (a dead peer must never hang anyone), and the
//   shared-memory transports only take part in such endpoints when they handle errors;
// - shared-memory receive buffers grow in smaller steps, so a worker starts faster.
// A user who chooses the transports (UCX_TLS) gets none of them, so UCX never warns about
// settings of transports that were left out. Whatever the transports, a listener may bind
// a port that closed connections still hold (a daemon restarted on its address).
void apply_defaults() {
  static std::once_flag once;
  std::call_once(once, [] {
    ::setenv("UCX_CM_REUSEADDR", "y", 0);
    static constexpr std::pair<const char*, const char*> defaults[] = {
        {"UCX_POSIX_ERROR_HANDLING", "y"},
        {"UCX_SYSV_ERROR_HANDLING", "y"},
        {"UCX_POSIX_RX_BUFS_GROW", "64"},
        {"UCX_SYSV_RX_BUFS_GROW", "64"},
    };
    if (std::getenv("UCX_TLS") != nullptr) return;
    for (const auto& [name, value] : defaults) ::setenv(name, value, 0);
  });
}
}  // namespace

std::shared_ptr<Context> Context::create(bool multi_threaded_workers, bool shared_memory) {
  apply_defaults();
  ucp_config_t* config = nullptr;
  check(ucp_config_read(nullptr, nullptr, &config), "ucp_config_read");
  if (!shared_memory && std::getenv("UCX_TLS") == nullptr) {
    // "sm" names every shared-memory transport; the defaults above are for those alone.
    for (const auto& [name, value] : {std::pair{"TLS", "^sm"}, std::pair{"WARN_UNUSED_ENV_VARS", "n"}}) {
      const ucs_status_t modified = ucp_config_modify(config, name, value);
      if (modified != UCS_OK) ucp_config_release(config);
      check(modified, std::string("ucp_config_modify ") + name);
    }
  }

  ucp_params_t params{};
  params.field_mask = UCP_PARAM_FIELD_FEATURES | UCP_PARAM_FIELD_MT_WORKERS_SHARED;
  params.features = UCP_FEATURE_AM | UCP_FEATURE_TAG | UCP_FEATURE_RMA | UCP_FEATURE_AMO32 |
                    UCP_FEATURE_AMO64 | UCP_FEATURE_WAKEUP;
  params.mt_workers_shared = multi_threaded_workers ? 1 : 0;

  ucp_context_h handle = nullptr;
  const ucs_status_t status = ucp_init(&params, config, &handle);
  ucp_config_release(config);
  check(status, "ucp_init");
  return std::shared_ptr<Context>(new Context(handle));
}

Context::~Context() { ucp_cleanup(handle_); }

}  // namespace ferry::ucx
