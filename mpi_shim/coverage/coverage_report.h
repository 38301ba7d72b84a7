#ifndef FERRY_MPI_SHIM_COVERAGE_REPORT_H
#define FERRY_MPI_SHIM_COVERAGE_REPORT_H
/* The shim's coverage of Open MPI's C API, callable from C (ferry finds it with dlsym). */

#ifdef __cplusplus
extern "C" {
#endif

/* Stores how many MPI functions the shim implements, passes to Open MPI, and refuses on
   communicators with function ranks; any pointer may be null. Returns the total. */
int ferry_mpi_coverage(int* implemented, int* passthrough, int* unsupported);

#ifdef __cplusplus
}
#endif

#endif
