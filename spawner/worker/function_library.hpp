#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ferry::worker {

/// The signature of every offloaded function: returns bytes written to `out`, or a
/// negative error code.
using Function = int64_t (*)(const void* in, size_t in_size, void* out, size_t out_cap);

/// A shipped shared library, dlopen'ed from the memfd it arrived in.
class FunctionLibrary {
 public:
  /// Loads the library held by `fd`; throws Error(not_found) with dlerror()'s text.
  explicit FunctionLibrary(int fd);
  FunctionLibrary(const FunctionLibrary&) = delete;
  FunctionLibrary& operator=(const FunctionLibrary&) = delete;
  ~FunctionLibrary();

  /// Resolves an exported function; throws Error(not_found) naming it.
  Function resolve(const std::string& name) const;

 private:
  void* handle_ = nullptr;
};

}  // namespace ferry::worker
