! The MPI Fortran binding a conformance program is compiled against, chosen by one of
! BINDING_MPIFH (include 'mpif.h'), BINDING_USEMPI (use mpi) or BINDING_F08 (use mpi_f08).
! Preprocessed as Fortran (traditional mode): no token pasting, no stringification.
!
! MPI_USE goes before `implicit none`, MPI_INCLUDE after it. HANDLE(MPI_Comm) declares a
! handle of that kind. A status is declared `STATUS_T :: STATUS_VAR(st)`, an array of them
! `STATUS_T :: STATUS_ARRAY(sts, n)`, element i is STATUS_AT(sts, i) and its fields are
! STATUS_SOURCE(st), STATUS_TAG(st) and STATUS_ERROR(st).
!
! Every call passes ierr and is followed by CHK, except those written with OPT_IERR and
! OPT_CHK: mpi_f08 makes ierror optional, and there they leave it out.

#if defined(BINDING_F08)
#  define MPI_USE use mpi_f08
#  define MPI_INCLUDE
#  define HANDLE(kind) type(kind)
#  define STATUS_T type(MPI_Status)
#  define STATUS_VAR(name) name
#  define STATUS_ARRAY(name, n) name(n)
#  define STATUS_AT(name, i) name(i)
#  define STATUS_SOURCE(st) st%MPI_SOURCE
#  define STATUS_TAG(st) st%MPI_TAG
#  define STATUS_ERROR(st) st%MPI_ERROR
#  define OPT_IERR
#  define OPT_CHK
#elif defined(BINDING_USEMPI) || defined(BINDING_MPIFH)
#  if defined(BINDING_USEMPI)
#    define MPI_USE use mpi
#    define MPI_INCLUDE
#  else
#    define MPI_USE
#    define MPI_INCLUDE include 'mpif.h'
#  endif
#  define HANDLE(kind) integer
#  define STATUS_T integer
#  define STATUS_VAR(name) name(MPI_STATUS_SIZE)
#  define STATUS_ARRAY(name, n) name(MPI_STATUS_SIZE, n)
#  define STATUS_AT(name, i) name(:, i)
#  define STATUS_SOURCE(st) st(MPI_SOURCE)
#  define STATUS_TAG(st) st(MPI_TAG)
#  define STATUS_ERROR(st) st(MPI_ERROR)
#  define OPT_IERR , ierr
#  define OPT_CHK call chk(__LINE__)
#else
#  error "define BINDING_MPIFH, BINDING_USEMPI or BINDING_F08"
#endif

#define CHK call chk(__LINE__)
