#include "mpi_shim/rma/window_attributes.hpp"

#include <map>

#include "mpi_shim/errors.hpp"
#include "mpi_shim/surface/fortran.hpp"
#include "mpi_shim/surface/implementations.hpp"

namespace ferry::mpi::rma {

namespace {

// A window keyval's delete callback, in C or in Fortran. Windows are never copied, so
// copy callbacks are never called.
struct WinKeyval {
  MPI_Win_delete_attr_function* remove = nullptr;
  FortranWinDeleteFunction* fortran_remove = nullptr;
  void* extra_state = nullptr;

  int call_remove(MPI_Win handle, int keyval, void* value) const {
    if (remove) return remove(handle, keyval, value, extra_state);
    if (!fortran_remove) return MPI_SUCCESS;
    MPI_Fint win = fortran::to_fortran(handle), key = keyval, error = MPI_SUCCESS;
    MPI_Aint extra = reinterpret_cast<MPI_Aint>(extra_state), attribute = reinterpret_cast<MPI_Aint>(value);
    fortran_remove(&win, &key, &attribute, &extra, &error);
    return error;
  }
};
std::map<int, WinKeyval> keyvals;

int remove_value(Window& window, int keyval, void* value) {
  const auto found = keyvals.find(keyval);
  return found == keyvals.end() ? MPI_SUCCESS : found->second.call_remove(handle_of(&window), keyval, value);
}

/// The memory model of every hybrid window: UCX keeps the public and private copies one.
int unified_model = MPI_WIN_UNIFIED;

/// The value of a predefined attribute (by address, as C reads it); false for other keyvals.
bool predefined_value(Window& window, int keyval, void*& value) {
  switch (keyval) {
    case MPI_WIN_BASE: value = window.base; return true;
    case MPI_WIN_SIZE: value = &window.size; return true;
    case MPI_WIN_DISP_UNIT: value = &window.disp_unit; return true;
    case MPI_WIN_CREATE_FLAVOR: value = &window.flavor; return true;
    case MPI_WIN_MODEL: value = &unified_model; return true;
    default: return false;
  }
}

bool is_predefined(int keyval) {
  return keyval == MPI_WIN_BASE || keyval == MPI_WIN_SIZE || keyval == MPI_WIN_DISP_UNIT ||
         keyval == MPI_WIN_CREATE_FLAVOR || keyval == MPI_WIN_MODEL;
}

}  // namespace

void remember_fortran_win_keyval(int keyval, FortranWinDeleteFunction* remove, MPI_Aint extra_state) {
  keyvals[keyval] = {.fortran_remove = remove, .extra_state = reinterpret_cast<void*>(extra_state)};
}

int delete_window_attributes(Window& window) {
  for (const auto& [keyval, value] : window.attributes) {
    if (const int error = remove_value(window, keyval, value)) return error;
  }
  window.attributes.clear();
  return MPI_SUCCESS;
}

}  // namespace ferry::mpi::rma

using namespace ferry::mpi;

int ferry::mpi::impl::MPI_Win_create_keyval(MPI_Win_copy_attr_function* copy, MPI_Win_delete_attr_function* remove,
                                            int* keyval, void* extra_state) {
  const int result = PMPI_Win_create_keyval(copy, remove, keyval, extra_state);
  if (result == MPI_SUCCESS) rma::keyvals[*keyval] = {.remove = remove, .extra_state = extra_state};
  return result;
}

int ferry::mpi::impl::MPI_Win_set_attr(MPI_Win win, int keyval, void* value) {
  Window& window = *hybrid(win);
  if (rma::is_predefined(keyval)) return raise(window, MPI_ERR_KEYVAL, "MPI_Win_set_attr");
  const auto found = window.attributes.find(keyval);
  if (found != window.attributes.end()) {
    if (const int error = rma::remove_value(window, keyval, found->second)) return raise(window, error, "MPI_Win_set_attr");
  }
  window.attributes[keyval] = value;
  return MPI_SUCCESS;
}

int ferry::mpi::impl::MPI_Win_get_attr(MPI_Win win, int keyval, void* value, int* flag) {
  Window& window = *hybrid(win);
  void* found_value = nullptr;
  bool found = rma::predefined_value(window, keyval, found_value);
  if (!found) {
    const auto attribute = window.attributes.find(keyval);
    found = attribute != window.attributes.end();
    if (found) found_value = attribute->second;
  }
  *flag = found ? 1 : 0;
  if (found) *static_cast<void**>(value) = found_value;
  return MPI_SUCCESS;
}

int ferry::mpi::impl::MPI_Win_delete_attr(MPI_Win win, int keyval) {
  Window& window = *hybrid(win);
  const auto found = window.attributes.find(keyval);
  if (found == window.attributes.end()) return raise(window, MPI_ERR_KEYVAL, "MPI_Win_delete_attr");
  if (const int error = rma::remove_value(window, keyval, found->second)) return raise(window, error, "MPI_Win_delete_attr");
  window.attributes.erase(found);
  return MPI_SUCCESS;
}

namespace ferry::mpi::fortran_impl {

void MPI_Win_create_keyval(void* win_copy_attr_fn, void* win_delete_attr_fn, MPI_Fint* win_keyval,
                           MPI_Aint* extra_state, MPI_Fint* ierror) {
  using OpenMpiEntry = void (*)(void*, void*, MPI_Fint*, MPI_Aint*, MPI_Fint*);
  static const auto open_mpi = fortran::open_mpi<OpenMpiEntry>("ompi_win_create_keyval_f");
  MPI_Fint code = MPI_SUCCESS;
  open_mpi(win_copy_attr_fn, win_delete_attr_fn, win_keyval, extra_state, &code);
  if (code == MPI_SUCCESS) {
    rma::remember_fortran_win_keyval(*win_keyval, reinterpret_cast<rma::FortranWinDeleteFunction*>(win_delete_attr_fn),
                                     *extra_state);
  }
  if (ierror) *ierror = code;
}

}  // namespace ferry::mpi::fortran_impl
