#include "spawner/worker/function_library.hpp"

#include <dlfcn.h>

#include "runtime/common/error.hpp"

namespace ferry::worker {

FunctionLibrary::FunctionLibrary(int fd) {
  const std::string path = "/proc/self/fd/" + std::to_string(fd);
  handle_ = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle_ == nullptr) {
    const char* reason = ::dlerror();
    throw Error(Errc::not_found, std::string("cannot load the shipped library: ") + (reason ? reason : "unknown"));
  }
}

FunctionLibrary::~FunctionLibrary() { ::dlclose(handle_); }

Function FunctionLibrary::resolve(const std::string& name) const {
  ::dlerror();
  void* symbol = ::dlsym(handle_, name.c_str());
  if (symbol == nullptr) {
    throw Error(Errc::not_found, "function '" + name + "' is not exported by the shipped library");
  }
  return reinterpret_cast<Function>(symbol);
}

}  // namespace ferry::worker
