// The accumulate family on hybrid windows. An accumulate holds the target's accumulate
// lock (a UCX atomic on its control region) while it reads the target's data, combines it
// with the origin's through PMPI_Reduce_local (Open MPI's own predefined operations) and
// writes it back: every accumulate is atomic against every other, per element and beyond.

#include <mpi.h>

#include <array>
#include <cstring>
#include <vector>

#include "mpi_shim/errors.hpp"
#include "mpi_shim/rma/target_access.hpp"
#include "mpi_shim/rma/target_locks.hpp"
#include "mpi_shim/surface/implementations.hpp"

using namespace ferry::mpi;

namespace {

bool is_accumulate_op(MPI_Op op) {
  static const std::array<MPI_Op, 14> predefined = {MPI_MAX,  MPI_MIN,  MPI_SUM,    MPI_PROD,   MPI_LAND,
                                                    MPI_BAND, MPI_LOR,  MPI_BOR,    MPI_LXOR,   MPI_BXOR,
                                                    MPI_MAXLOC, MPI_MINLOC, MPI_REPLACE, MPI_NO_OP};
  for (MPI_Op known : predefined) {
    if (op == known) return true;
  }
  return false;
}

/// target = origin `op` target, over `bytes` of packed elements of `element`.
void combine(const std::byte* origin, std::byte* target, size_t bytes, MPI_Datatype element, MPI_Op op) {
  if (op == MPI_NO_OP) return;
  if (op == MPI_REPLACE) {
    std::memcpy(target, origin, bytes);
    return;
  }
  int element_size = 0;
  PMPI_Type_size(element, &element_size);
  if (element_size == 0) return;
  PMPI_Reduce_local(origin, target, int(bytes / size_t(element_size)), element, op);
}

/// Applies `op` at the target under its accumulate lock; `fetched` (when not null)
/// receives the target's former data, packed.
void accumulate_at(const rma::TargetAccess& access, const std::byte* origin, MPI_Datatype element, MPI_Op op,
                   std::byte* fetched) {
  std::vector<std::byte> current(access.bytes);
  rma::with_accumulate_lock(*access.target, [&] {
    const bool reads = fetched != nullptr || (op != MPI_REPLACE && op != MPI_NO_OP);
    if (reads) rma::read_blocks(access, current.data());
    if (fetched != nullptr) std::memcpy(fetched, current.data(), access.bytes);
    if (op == MPI_NO_OP) return;
    combine(origin, current.data(), access.bytes, element, op);
    rma::write_blocks(access, current.data());
  });
}

int accumulate(const void* origin, int origin_count, MPI_Datatype origin_type, int rank, MPI_Aint disp, int count,
               MPI_Datatype type, MPI_Op op, Window& window, const char* function) {
  if (const int code = rma::check_origin(origin_count, origin_type)) return raise(window, code, function);
  if (!is_accumulate_op(op)) return raise(window, MPI_ERR_OP, function);
  rma::TargetAccess access;
  if (const int code = rma::find_target(window, rank, disp, count, type, access)) return raise(window, code, function);
  if (access.target == nullptr || access.bytes == 0) return MPI_SUCCESS;
  const rma::PackedData data(origin, origin_count, origin_type);
  if (data.size() != access.bytes) return raise(window, MPI_ERR_ARG, function, "origin and target sizes differ");
  accumulate_at(access, data.data(), rma::element_type_of(type), op, nullptr);
  return MPI_SUCCESS;
}

int get_accumulate(const void* origin, int origin_count, MPI_Datatype origin_type, void* result, int result_count,
                   MPI_Datatype result_type, int rank, MPI_Aint disp, int count, MPI_Datatype type, MPI_Op op,
                   Window& window, const char* function) {
  if (!is_accumulate_op(op)) return raise(window, MPI_ERR_OP, function);
  if (op != MPI_NO_OP) {
    if (const int code = rma::check_origin(origin_count, origin_type)) return raise(window, code, function);
  }
  if (const int code = rma::check_origin(result_count, result_type)) return raise(window, code, function);
  rma::TargetAccess access;
  if (const int code = rma::find_target(window, rank, disp, count, type, access)) return raise(window, code, function);
  if (access.target == nullptr || access.bytes == 0) return MPI_SUCCESS;
  rma::UnpackedData fetched(result, result_count, result_type);
  if (fetched.size() != access.bytes) return raise(window, MPI_ERR_ARG, function, "result and target sizes differ");
  if (op == MPI_NO_OP) {
    accumulate_at(access, nullptr, MPI_DATATYPE_NULL, op, fetched.data());
  } else {
    const rma::PackedData data(origin, origin_count, origin_type);
    if (data.size() != access.bytes) return raise(window, MPI_ERR_ARG, function, "origin and target sizes differ");
    accumulate_at(access, data.data(), rma::element_type_of(type), op, fetched.data());
  }
  fetched.finish();
  return MPI_SUCCESS;
}

}  // namespace

int ferry::mpi::impl::MPI_Accumulate(const void* origin_addr, int origin_count, MPI_Datatype origin_datatype,
                                     int target_rank, MPI_Aint target_disp, int target_count,
                                     MPI_Datatype target_datatype, MPI_Op op, MPI_Win win) {
  return accumulate(origin_addr, origin_count, origin_datatype, target_rank, target_disp, target_count,
                    target_datatype, op, *hybrid(win), "MPI_Accumulate");
}

int ferry::mpi::impl::MPI_Raccumulate(const void* origin_addr, int origin_count, MPI_Datatype origin_datatype,
                                      int target_rank, MPI_Aint target_disp, int target_count,
                                      MPI_Datatype target_datatype, MPI_Op op, MPI_Win win, MPI_Request* request) {
  Window& window = *hybrid(win);
  const int code = accumulate(origin_addr, origin_count, origin_datatype, target_rank, target_disp, target_count,
                              target_datatype, op, window, "MPI_Raccumulate");
  if (code == MPI_SUCCESS) rma::complete_request(window, request);
  return code;
}

int ferry::mpi::impl::MPI_Get_accumulate(const void* origin_addr, int origin_count, MPI_Datatype origin_datatype,
                                         void* result_addr, int result_count, MPI_Datatype result_datatype,
                                         int target_rank, MPI_Aint target_disp, int target_count,
                                         MPI_Datatype target_datatype, MPI_Op op, MPI_Win win) {
  return get_accumulate(origin_addr, origin_count, origin_datatype, result_addr, result_count, result_datatype,
                        target_rank, target_disp, target_count, target_datatype, op, *hybrid(win),
                        "MPI_Get_accumulate");
}

int ferry::mpi::impl::MPI_Rget_accumulate(const void* origin_addr, int origin_count, MPI_Datatype origin_datatype,
                                          void* result_addr, int result_count, MPI_Datatype result_datatype,
                                          int target_rank, MPI_Aint target_disp, int target_count,
                                          MPI_Datatype target_datatype, MPI_Op op, MPI_Win win,
                                          MPI_Request* request) {
  Window& window = *hybrid(win);
  const int code = get_accumulate(origin_addr, origin_count, origin_datatype, result_addr, result_count,
                                  result_datatype, target_rank, target_disp, target_count, target_datatype, op,
                                  window, "MPI_Rget_accumulate");
  if (code == MPI_SUCCESS) rma::complete_request(window, request);
  return code;
}

int ferry::mpi::impl::MPI_Fetch_and_op(const void* origin_addr, void* result_addr, MPI_Datatype datatype,
                                       int target_rank, MPI_Aint target_disp, MPI_Op op, MPI_Win win) {
  return get_accumulate(origin_addr, 1, datatype, result_addr, 1, datatype, target_rank, target_disp, 1, datatype,
                        op, *hybrid(win), "MPI_Fetch_and_op");
}

int ferry::mpi::impl::MPI_Compare_and_swap(const void* origin_addr, const void* compare_addr, void* result_addr,
                                           MPI_Datatype datatype, int target_rank, MPI_Aint target_disp,
                                           MPI_Win win) {
  Window& window = *hybrid(win);
  rma::TargetAccess access;
  if (const int code = rma::find_target(window, target_rank, target_disp, 1, datatype, access)) {
    return raise(window, code, "MPI_Compare_and_swap");
  }
  if (access.target == nullptr || access.bytes == 0) return MPI_SUCCESS;
  std::vector<std::byte> current(access.bytes);
  rma::with_accumulate_lock(*access.target, [&] {
    rma::read_blocks(access, current.data());
    if (std::memcmp(current.data(), compare_addr, access.bytes) == 0) {
      rma::write_blocks(access, static_cast<const std::byte*>(origin_addr));
    }
  });
  std::memcpy(result_addr, current.data(), access.bytes);
  return MPI_SUCCESS;
}
