! A Fortran MPI program (the `use mpi_f08` bindings) that starts with MPI_Init_thread.
program fortran_init_thread_f08
  use mpi_f08
  implicit none
  integer :: provided, rank

  call MPI_Init_thread(MPI_THREAD_FUNNELED, provided)
  call MPI_Comm_rank(MPI_COMM_WORLD, rank)
  print '(a, i0, a, i0)', 'fortran f08 rank ', rank, ' thread level ', provided
  call MPI_Finalize()
end program fortran_init_thread_f08
