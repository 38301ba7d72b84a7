// MPI_Pack and friends are local: the communicator only names the data representation,
// which is the same on every rank of a job, so hybrid ones use Open MPI's MPI_COMM_SELF.

#include <mpi.h>

#include "mpi_shim/communicator.hpp"
#include "mpi_shim/surface/implementations.hpp"

using namespace ferry::mpi;

namespace {
MPI_Comm local(MPI_Comm comm) { return hybrid(comm) != nullptr ? MPI_COMM_SELF : comm; }
}  // namespace

int ferry::mpi::impl::MPI_Pack(const void* in, int count, MPI_Datatype type, void* out, int out_size, int* position,
                               MPI_Comm comm) {
  return PMPI_Pack(in, count, type, out, out_size, position, local(comm));
}

int ferry::mpi::impl::MPI_Unpack(const void* in, int in_size, int* position, void* out, int count, MPI_Datatype type,
                                 MPI_Comm comm) {
  return PMPI_Unpack(in, in_size, position, out, count, type, local(comm));
}

int ferry::mpi::impl::MPI_Pack_size(int count, MPI_Datatype type, MPI_Comm comm, int* size) {
  return PMPI_Pack_size(count, type, local(comm), size);
}
