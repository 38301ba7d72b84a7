#include "runtime/ucx/memory.hpp"

#include "runtime/ucx/endpoint.hpp"
#include "runtime/ucx/status.hpp"

namespace ferry::ucx {

namespace {
ucp_mem_h map_memory(const Context& context, void* address, size_t length, bool allocate) {
  ucp_mem_map_params_t params{};
  params.field_mask = UCP_MEM_MAP_PARAM_FIELD_ADDRESS | UCP_MEM_MAP_PARAM_FIELD_LENGTH |
                      UCP_MEM_MAP_PARAM_FIELD_FLAGS;
  params.address = address;
  params.length = length == 0 ? 1 : length;
  params.flags = allocate ? UCP_MEM_MAP_ALLOCATE : 0;
  ucp_mem_h handle = nullptr;
  check(ucp_mem_map(context.raw(), &params, &handle), "ucp_mem_map");
  return handle;
}
}  // namespace

std::unique_ptr<MemoryRegion> MemoryRegion::allocate(std::shared_ptr<Context> context, size_t length) {
  ucp_mem_h handle = map_memory(*context, nullptr, length, true);
  ucp_mem_attr_t attributes{};
  attributes.field_mask = UCP_MEM_ATTR_FIELD_ADDRESS;
  const ucs_status_t status = ucp_mem_query(handle, &attributes);
  if (status != UCS_OK) {
    ucp_mem_unmap(context->raw(), handle);
    raise(status, "ucp_mem_query");
  }
  return std::unique_ptr<MemoryRegion>(
      new MemoryRegion(std::move(context), handle, attributes.address, length));
}

std::unique_ptr<MemoryRegion> MemoryRegion::map(std::shared_ptr<Context> context, void* address,
                                                size_t length) {
  ucp_mem_h handle = map_memory(*context, address, length, false);
  return std::unique_ptr<MemoryRegion>(new MemoryRegion(std::move(context), handle, address, length));
}

MemoryRegion::~MemoryRegion() { ucp_mem_unmap(context_->raw(), handle_); }

std::vector<std::byte> MemoryRegion::pack_remote_key() const {
  void* buffer = nullptr;
  size_t length = 0;
  check(ucp_rkey_pack(context_->raw(), handle_, &buffer, &length), "ucp_rkey_pack");
  const auto* bytes = static_cast<const std::byte*>(buffer);
  std::vector<std::byte> packed(bytes, bytes + length);
  ucp_rkey_buffer_release(buffer);
  return packed;
}

RemoteKey::RemoteKey(const Endpoint& endpoint, const std::vector<std::byte>& packed) {
  check(ucp_ep_rkey_unpack(endpoint.raw(), packed.data(), &handle_), "ucp_ep_rkey_unpack");
}

RemoteKey::RemoteKey(ucp_ep_h endpoint, const void* packed) {
  check(ucp_ep_rkey_unpack(endpoint, packed, &handle_), "ucp_ep_rkey_unpack");
}

RemoteKey::~RemoteKey() { ucp_rkey_destroy(handle_); }

}  // namespace ferry::ucx
