! A Fortran MPI program (the `use mpi` bindings): initializes, reports its rank, finalizes.
program fortran_init
  use mpi
  implicit none
  integer :: ierror, rank, size

  call MPI_Init(ierror)
  call MPI_Comm_rank(MPI_COMM_WORLD, rank, ierror)
  call MPI_Comm_size(MPI_COMM_WORLD, size, ierror)
  print '(a, i0, a, i0)', 'fortran rank ', rank, ' of ', size
  call MPI_Finalize(ierror)
end program fortran_init
