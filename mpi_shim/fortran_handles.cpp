// MPI_*_c2f and MPI_*_f2c for the handle kinds that may be shim objects: C and Fortran
// code in one program see the same objects through them.

#include <mpi.h>

#include "mpi_shim/surface/fortran.hpp"
#include "mpi_shim/surface/implementations.hpp"

MPI_Fint ferry::mpi::impl::MPI_Comm_c2f(MPI_Comm comm) { return fortran::to_fortran(comm); }
MPI_Comm ferry::mpi::impl::MPI_Comm_f2c(MPI_Fint comm) { return fortran::to_c<MPI_Comm>(comm); }
MPI_Fint ferry::mpi::impl::MPI_Group_c2f(MPI_Group group) { return fortran::to_fortran(group); }
MPI_Group ferry::mpi::impl::MPI_Group_f2c(MPI_Fint group) { return fortran::to_c<MPI_Group>(group); }
MPI_Fint ferry::mpi::impl::MPI_Request_c2f(MPI_Request request) { return fortran::to_fortran(request); }
MPI_Request ferry::mpi::impl::MPI_Request_f2c(MPI_Fint request) { return fortran::to_c<MPI_Request>(request); }
MPI_Fint ferry::mpi::impl::MPI_Message_c2f(MPI_Message message) { return fortran::to_fortran(message); }
MPI_Message ferry::mpi::impl::MPI_Message_f2c(MPI_Fint message) { return fortran::to_c<MPI_Message>(message); }
MPI_Fint ferry::mpi::impl::MPI_Win_c2f(MPI_Win win) { return fortran::to_fortran(win); }
MPI_Win ferry::mpi::impl::MPI_Win_f2c(MPI_Fint win) { return fortran::to_c<MPI_Win>(win); }
MPI_Fint ferry::mpi::impl::MPI_File_c2f(MPI_File file) { return fortran::to_fortran(file); }
MPI_File ferry::mpi::impl::MPI_File_f2c(MPI_Fint file) { return fortran::to_c<MPI_File>(file); }
