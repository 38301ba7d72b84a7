#pragma once

#include <ucp/api/ucp.h>

#include <cstddef>
#include <memory>
#include <vector>

#include "runtime/ucx/context.hpp"

namespace ferry::ucx {

class Endpoint;

/// A buffer registered with UCX (ucp_mem_map): zero-copy on RDMA, reusable across calls.
class MemoryRegion {
 public:
  /// Allocates and registers `length` bytes.
  static std::unique_ptr<MemoryRegion> allocate(std::shared_ptr<Context> context, size_t length);
  /// Registers caller-owned memory, which must outlive the region.
  static std::unique_ptr<MemoryRegion> map(std::shared_ptr<Context> context, void* address, size_t length);

  MemoryRegion(const MemoryRegion&) = delete;
  MemoryRegion& operator=(const MemoryRegion&) = delete;
  ~MemoryRegion();

  void* data() const noexcept { return address_; }
  size_t size() const noexcept { return length_; }
  ucp_mem_h raw() const noexcept { return handle_; }
  /// Packed remote key a peer unpacks to put/get into this region.
  std::vector<std::byte> pack_remote_key() const;

 private:
  MemoryRegion(std::shared_ptr<Context> context, ucp_mem_h handle, void* address, size_t length)
      : context_(std::move(context)), handle_(handle), address_(address), length_(length) {}
  std::shared_ptr<Context> context_;
  ucp_mem_h handle_;
  void* address_;
  size_t length_;
};

/// An unpacked remote key, usable on the endpoint it was unpacked for.
class RemoteKey {
 public:
  RemoteKey(const Endpoint& endpoint, const std::vector<std::byte>& packed);
  RemoteKey(ucp_ep_h endpoint, const void* packed);
  RemoteKey(const RemoteKey&) = delete;
  RemoteKey& operator=(const RemoteKey&) = delete;
  ~RemoteKey();
  ucp_rkey_h raw() const noexcept { return handle_; }

 private:
  ucp_rkey_h handle_ = nullptr;
};

}  // namespace ferry::ucx
