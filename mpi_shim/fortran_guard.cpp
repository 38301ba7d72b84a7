// Open MPI's Fortran bindings call PMPI_* directly, so a Fortran program's MPI calls never
// reach the shim: with function ranks it would run with a world that leaves them out.
// Until Fortran is supported, MPI_Init from Fortran is refused whenever the job has
// function ranks, and handed to Open MPI untouched otherwise. These are the Fortran entry
// points of MPI_Init and MPI_Init_thread under every name Open MPI 4.1 exports them
// (mpif.h and `use mpi`: libmpi_mpifh; `use mpi_f08`: libmpi_usempif08).

#include <dlfcn.h>
#include <mpi.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace ferry::mpi {

namespace {

using InitEntry = void (*)(MPI_Fint* ierror);
using InitThreadEntry = void (*)(MPI_Fint* required, MPI_Fint* provided, MPI_Fint* ierror);

// FERRY_FUNCTIONS > 0, or this process is itself a function rank.
bool job_has_function_ranks() {
  const char* role = std::getenv("FERRY_ROLE");
  if (role && std::strcmp(role, "function") == 0) return true;
  const char* functions = std::getenv("FERRY_FUNCTIONS");
  if (!functions || !*functions) return false;
  char* end = nullptr;
  errno = 0;
  const long count = std::strtol(functions, &end, 10);
  if (errno != 0 || *end != '\0' || count < 0) {
    std::fprintf(stderr, "ferry: FERRY_FUNCTIONS must be a non-negative number of function ranks, got '%s'\n",
                 functions);
    std::exit(1);
  }
  return count > 0;
}

void refuse_if_hybrid() {
  if (!job_has_function_ranks()) return;
  std::fprintf(stderr,
               "ferry: %s calls MPI from Fortran; function ranks support C and C++ MPI programs only "
               "(run it with FERRY_FUNCTIONS=0 or without ferry)\n",
               program_invocation_short_name);
  std::exit(1);
}

// Open MPI's own definition of `name`: the next one after the shim in lookup order, which
// holds whether the shim is preloaded or linked ahead of libmpi_mpifh.
template <class Entry>
Entry open_mpi_definition(const char* name, Entry shim_definition) {
  void* found = dlsym(RTLD_NEXT, name);
  if (!found || found == reinterpret_cast<void*>(shim_definition)) return nullptr;
  return reinterpret_cast<Entry>(found);
}

void init(const char* name, InitEntry shim_definition, MPI_Fint* ierror) {
  refuse_if_hybrid();
  if (InitEntry open_mpi = open_mpi_definition(name, shim_definition)) return open_mpi(ierror);
  // Without the bindings library in reach, do what its MPI_Init does.
  const int code = PMPI_Init(nullptr, nullptr);
  if (ierror) *ierror = code;
}

void init_thread(const char* name, InitThreadEntry shim_definition, MPI_Fint* required, MPI_Fint* provided,
                 MPI_Fint* ierror) {
  refuse_if_hybrid();
  if (InitThreadEntry open_mpi = open_mpi_definition(name, shim_definition))
    return open_mpi(required, provided, ierror);
  int level = MPI_THREAD_SINGLE;
  const int code = PMPI_Init_thread(nullptr, nullptr, required ? int(*required) : MPI_THREAD_SINGLE, &level);
  if (provided) *provided = level;
  if (ierror) *ierror = code;
}

}  // namespace

}  // namespace ferry::mpi

#define FERRY_FORTRAN_INIT(symbol)                                                    \
  extern "C" void symbol(MPI_Fint* ierror) { ferry::mpi::init(#symbol, symbol, ierror); }
#define FERRY_FORTRAN_INIT_THREAD(symbol)                                                   \
  extern "C" void symbol(MPI_Fint* required, MPI_Fint* provided, MPI_Fint* ierror) {        \
    ferry::mpi::init_thread(#symbol, symbol, required, provided, ierror);                   \
  }

FERRY_FORTRAN_INIT(mpi_init)
FERRY_FORTRAN_INIT(mpi_init_)
FERRY_FORTRAN_INIT(mpi_init__)
FERRY_FORTRAN_INIT(MPI_INIT)
FERRY_FORTRAN_INIT(MPI_Init_f08)
FERRY_FORTRAN_INIT(mpi_init_f08_)
FERRY_FORTRAN_INIT_THREAD(mpi_init_thread)
FERRY_FORTRAN_INIT_THREAD(mpi_init_thread_)
FERRY_FORTRAN_INIT_THREAD(mpi_init_thread__)
FERRY_FORTRAN_INIT_THREAD(MPI_INIT_THREAD)
FERRY_FORTRAN_INIT_THREAD(MPI_Init_thread_f08)
FERRY_FORTRAN_INIT_THREAD(mpi_init_thread_f08_)
