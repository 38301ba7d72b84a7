/* The C half of mixed_language.F90: a C library that a Fortran program calls with
   Fortran handles, and that hands Fortran handles back. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

static void require(int condition, const char* what) {
  if (!condition) {
    fprintf(stderr, "mixed_language: %s\n", what);
    MPI_Abort(MPI_COMM_WORLD, 2);
  }
}

/* Checks the communicator's round trip; returns its rank as C sees it. */
int c_rank_of(MPI_Fint fortran_comm) {
  MPI_Comm comm = MPI_Comm_f2c(fortran_comm);
  require(MPI_Comm_c2f(comm) == fortran_comm, "MPI_Comm_c2f(MPI_Comm_f2c(comm)) changed the handle");
  int rank = -1;
  MPI_Comm_rank(comm, &rank);
  return rank;
}

/* A group of the communicator, for Fortran to query and free. */
MPI_Fint c_group_of(MPI_Fint fortran_comm) {
  MPI_Group group = MPI_GROUP_NULL;
  MPI_Comm_group(MPI_Comm_f2c(fortran_comm), &group);
  const MPI_Fint handle = MPI_Group_c2f(group);
  require(MPI_Group_f2c(handle) == group, "MPI_Group_f2c(MPI_Group_c2f(group)) changed the handle");
  return handle;
}

/* Starts a receive of `count` ints from `source` into `buffer`, for Fortran to wait on. */
MPI_Fint c_start_receive(MPI_Fint fortran_comm, int* buffer, int count, int source) {
  MPI_Request request = MPI_REQUEST_NULL;
  MPI_Irecv(buffer, count, MPI_INT, source, 11, MPI_Comm_f2c(fortran_comm), &request);
  const MPI_Fint handle = MPI_Request_c2f(request);
  require(MPI_Request_f2c(handle) == request, "MPI_Request_f2c(MPI_Request_c2f(request)) changed the handle");
  return handle;
}

/* Waits on a request Fortran started; returns the source of its status. */
int c_wait(MPI_Fint fortran_request) {
  MPI_Request request = MPI_Request_f2c(fortran_request);
  MPI_Status status;
  MPI_Wait(&request, &status);
  require(request == MPI_REQUEST_NULL, "MPI_Wait left the request active");
  return status.MPI_SOURCE;
}

/* Takes the next message from `source` off the queue, for Fortran to receive. */
MPI_Fint c_matched_probe(MPI_Fint fortran_comm, int source) {
  MPI_Message message = MPI_MESSAGE_NULL;
  MPI_Status status;
  MPI_Mprobe(source, 12, MPI_Comm_f2c(fortran_comm), &message, &status);
  const MPI_Fint handle = MPI_Message_c2f(message);
  require(MPI_Message_f2c(handle) == message, "MPI_Message_f2c(MPI_Message_c2f(message)) changed the handle");
  return handle;
}

/* A communicator of the even or odd ranks, made in C, for Fortran to use and free. */
MPI_Fint c_parity_comm(MPI_Fint fortran_comm) {
  MPI_Comm comm = MPI_Comm_f2c(fortran_comm), parity = MPI_COMM_NULL;
  int rank = 0;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_split(comm, rank % 2, rank, &parity);
  return MPI_Comm_c2f(parity);
}
