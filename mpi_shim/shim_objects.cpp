// The registries of hybrid windows and files: which MPI_Win and MPI_File handles are the
// shim's own.

#include <unordered_set>
#include <vector>

#include "mpi_shim/io/file.hpp"
#include "mpi_shim/rma/window.hpp"
#include "mpi_shim/surface/fortran.hpp"
#include "mpi_shim/world.hpp"

namespace ferry::mpi {

namespace {

// One-sided calls come in long runs on one window (every MPI_Put and MPI_Win_flush looks
// its handle up twice), so the last handle found is remembered.
class Registry {
 public:
  void insert(const void* object) { objects_.insert(object); }
  void erase(const void* object) noexcept {
    objects_.erase(object);
    if (last_found_ == object) last_found_ = nullptr;
  }
  bool contains(const void* handle) const noexcept {
    if (handle == last_found_ && handle != nullptr) return true;
    if (objects_.empty() || objects_.count(handle) == 0) return false;
    last_found_ = handle;
    return true;
  }
  bool empty() const noexcept { return objects_.empty(); }
  std::vector<const void*> all() const { return {objects_.begin(), objects_.end()}; }

 private:
  std::unordered_set<const void*> objects_;
  mutable const void* last_found_ = nullptr;
};

Registry windows;
Registry files;

template <class Object>
Object* lookup(const Registry& registry, const void* handle) noexcept {
  if (registry.empty() || !world().hybrid() || inside_shim()) return nullptr;
  return registry.contains(handle) ? static_cast<Object*>(const_cast<void*>(handle)) : nullptr;
}

}  // namespace

Window* hybrid(MPI_Win handle) noexcept { return lookup<Window>(windows, handle); }
MPI_Win handle_of(Window* window) noexcept { return reinterpret_cast<MPI_Win>(window); }
void remember_window(Window* window) { windows.insert(window); }
void forget_window(Window* window) noexcept {
  fortran::forget(window);
  windows.erase(window);
}
void discard_windows_left() {
  for (const void* object : windows.all()) {
    auto* window = static_cast<Window*>(const_cast<void*>(object));
    forget_window(window);
    if (window->info != MPI_INFO_NULL) PMPI_Info_free(&window->info);
    delete window;
  }
}

File* hybrid(MPI_File handle) noexcept { return lookup<File>(files, handle); }
MPI_File handle_of(File* file) noexcept { return reinterpret_cast<MPI_File>(file); }
void remember_file(File* file) { files.insert(file); }
void forget_file(File* file) noexcept {
  fortran::forget(file);
  files.erase(file);
}

}  // namespace ferry::mpi
