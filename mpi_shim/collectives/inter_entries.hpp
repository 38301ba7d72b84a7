#pragma once
// The collective entry points on a hybrid intercommunicator, which the entry points of
// rooted_entries.cpp and symmetric_entries.cpp hand it to: argument checks against the
// right group, with Open MPI's error classes, then the tasks of inter.hpp. Per-rank arrays
// have one entry per remote rank, except Reduce_scatter's counts (one per local rank).
// `request` is null for the blocking forms.

#include <mpi.h>

#include "mpi_shim/communicator.hpp"

namespace ferry::mpi {

int inter_barrier(Comm& c, const char* name, MPI_Request* request);
int inter_bcast(Comm& c, const char* name, MPI_Request* request, void* buffer, int count, MPI_Datatype type,
                int root);
int inter_reduce(Comm& c, const char* name, MPI_Request* request, const void* send, void* receive, int count,
                 MPI_Datatype type, MPI_Op op, int root);
int inter_gather(Comm& c, const char* name, MPI_Request* request, const void* send, int send_count,
                 MPI_Datatype send_type, void* receive, int receive_count, MPI_Datatype receive_type, int root);
int inter_gatherv(Comm& c, const char* name, MPI_Request* request, const void* send, int send_count,
                  MPI_Datatype send_type, void* receive, const int* counts, const int* displs,
                  MPI_Datatype receive_type, int root);
int inter_scatter(Comm& c, const char* name, MPI_Request* request, const void* send, int send_count,
                  MPI_Datatype send_type, void* receive, int receive_count, MPI_Datatype receive_type, int root);
int inter_scatterv(Comm& c, const char* name, MPI_Request* request, const void* send, const int* counts,
                   const int* displs, MPI_Datatype send_type, void* receive, int receive_count,
                   MPI_Datatype receive_type, int root);
int inter_allreduce(Comm& c, const char* name, MPI_Request* request, const void* send, void* receive, int count,
                    MPI_Datatype type, MPI_Op op);
int inter_allgather(Comm& c, const char* name, MPI_Request* request, const void* send, int send_count,
                    MPI_Datatype send_type, void* receive, int receive_count, MPI_Datatype receive_type);
int inter_allgatherv(Comm& c, const char* name, MPI_Request* request, const void* send, int send_count,
                     MPI_Datatype send_type, void* receive, const int* counts, const int* displs,
                     MPI_Datatype receive_type);
int inter_alltoall(Comm& c, const char* name, MPI_Request* request, const void* send, int send_count,
                   MPI_Datatype send_type, void* receive, int receive_count, MPI_Datatype receive_type);
int inter_alltoallv(Comm& c, const char* name, MPI_Request* request, const void* send, const int* send_counts,
                    const int* send_displs, MPI_Datatype send_type, void* receive, const int* receive_counts,
                    const int* receive_displs, MPI_Datatype receive_type);
int inter_alltoallw(Comm& c, const char* name, MPI_Request* request, const void* send, const int* send_counts,
                    const int* send_displs, const MPI_Datatype* send_types, void* receive, const int* receive_counts,
                    const int* receive_displs, const MPI_Datatype* receive_types);
int inter_reduce_scatter(Comm& c, const char* name, MPI_Request* request, const void* send, void* receive,
                         const int* counts, MPI_Datatype type, MPI_Op op);
int inter_reduce_scatter_block(Comm& c, const char* name, MPI_Request* request, const void* send, void* receive,
                               int count, MPI_Datatype type, MPI_Op op);
/// Scan and Exscan are not defined on intercommunicators: MPI_ERR_COMM, as Open MPI answers Scan.
int inter_scan(Comm& c, const char* name);

}  // namespace ferry::mpi
