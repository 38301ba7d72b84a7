// MPI_Put and MPI_Get (and their request-based forms) on hybrid windows: the origin's data
// packed, the target's as blocks, one UCX put or get per block.

#include <mpi.h>

#include "mpi_shim/errors.hpp"
#include "mpi_shim/rma/target_access.hpp"
#include "mpi_shim/surface/implementations.hpp"

using namespace ferry::mpi;

namespace {

// MPI_Put and MPI_Get leave the user's buffer to the operation until the next
// synchronization call, which flushes; their request-based forms and staged data complete
// locally before they return.
int put(const void* origin, int origin_count, MPI_Datatype origin_type, int rank, MPI_Aint disp, int count,
        MPI_Datatype type, Window& window, const char* function,
        rma::LocalCompletion completion = rma::LocalCompletion::by_flush) {
  if (const int code = rma::check_origin(origin_count, origin_type)) return raise(window, code, function);
  rma::TargetAccess access;
  if (const int code = rma::find_target(window, rank, disp, count, type, access)) return raise(window, code, function);
  if (access.target == nullptr) return MPI_SUCCESS;
  const rma::PackedData data(origin, origin_count, origin_type);
  if (data.size() != access.bytes) return raise(window, MPI_ERR_ARG, function, "origin and target sizes differ");
  rma::write_blocks(access, data.data(), data.in_place() ? completion : rma::LocalCompletion::on_return);
  return MPI_SUCCESS;
}

int get(void* origin, int origin_count, MPI_Datatype origin_type, int rank, MPI_Aint disp, int count,
        MPI_Datatype type, Window& window, const char* function,
        rma::LocalCompletion completion = rma::LocalCompletion::by_flush) {
  if (const int code = rma::check_origin(origin_count, origin_type)) return raise(window, code, function);
  rma::TargetAccess access;
  if (const int code = rma::find_target(window, rank, disp, count, type, access)) return raise(window, code, function);
  if (access.target == nullptr) return MPI_SUCCESS;
  rma::UnpackedData data(origin, origin_count, origin_type);
  if (data.size() != access.bytes) return raise(window, MPI_ERR_ARG, function, "origin and target sizes differ");
  rma::read_blocks(access, data.data(), data.in_place() ? completion : rma::LocalCompletion::on_return);
  data.finish();
  return MPI_SUCCESS;
}

}  // namespace

int ferry::mpi::impl::MPI_Put(const void* origin_addr, int origin_count, MPI_Datatype origin_datatype,
                              int target_rank, MPI_Aint target_disp, int target_count,
                              MPI_Datatype target_datatype, MPI_Win win) {
  return put(origin_addr, origin_count, origin_datatype, target_rank, target_disp, target_count, target_datatype,
             *hybrid(win), "MPI_Put");
}

int ferry::mpi::impl::MPI_Get(void* origin_addr, int origin_count, MPI_Datatype origin_datatype, int target_rank,
                              MPI_Aint target_disp, int target_count, MPI_Datatype target_datatype, MPI_Win win) {
  return get(origin_addr, origin_count, origin_datatype, target_rank, target_disp, target_count, target_datatype,
             *hybrid(win), "MPI_Get");
}

int ferry::mpi::impl::MPI_Rput(const void* origin_addr, int origin_count, MPI_Datatype origin_datatype,
                               int target_rank, MPI_Aint target_disp, int target_count,
                               MPI_Datatype target_datatype, MPI_Win win, MPI_Request* request) {
  Window& window = *hybrid(win);
  const int code = put(origin_addr, origin_count, origin_datatype, target_rank, target_disp, target_count,
                       target_datatype, window, "MPI_Rput", rma::LocalCompletion::on_return);
  if (code == MPI_SUCCESS) rma::complete_request(window, request);
  return code;
}

int ferry::mpi::impl::MPI_Rget(void* origin_addr, int origin_count, MPI_Datatype origin_datatype, int target_rank,
                               MPI_Aint target_disp, int target_count, MPI_Datatype target_datatype, MPI_Win win,
                               MPI_Request* request) {
  Window& window = *hybrid(win);
  const int code = get(origin_addr, origin_count, origin_datatype, target_rank, target_disp, target_count,
                       target_datatype, window, "MPI_Rget", rma::LocalCompletion::on_return);
  if (code == MPI_SUCCESS) rma::complete_request(window, request);
  return code;
}
