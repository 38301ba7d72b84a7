#include "runtime/ucx/context.hpp"

#include "runtime/ucx/status.hpp"

namespace ferry::ucx {

std::shared_ptr<Context> Context::create(bool multi_threaded_workers) {
  ucp_config_t* config = nullptr;
  check(ucp_config_read(nullptr, nullptr, &config), "ucp_config_read");

  ucp_params_t params{};
  params.field_mask = UCP_PARAM_FIELD_FEATURES | UCP_PARAM_FIELD_MT_WORKERS_SHARED;
  params.features = UCP_FEATURE_AM | UCP_FEATURE_TAG | UCP_FEATURE_RMA | UCP_FEATURE_WAKEUP;
  params.mt_workers_shared = multi_threaded_workers ? 1 : 0;

  ucp_context_h handle = nullptr;
  const ucs_status_t status = ucp_init(&params, config, &handle);
  ucp_config_release(config);
  check(status, "ucp_init");
  return std::shared_ptr<Context>(new Context(handle));
}

Context::~Context() { ucp_cleanup(handle_); }

}  // namespace ferry::ucx
