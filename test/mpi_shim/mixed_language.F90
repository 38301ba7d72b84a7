! A Fortran program that shares communicators, groups, requests and messages with a C
! library (mixed_language.c) through MPI_*_c2f and MPI_*_f2c.
program mixed_language
  use, intrinsic :: iso_c_binding, only: c_int
  use mpi
  implicit none
  interface
    integer(c_int) function c_rank_of(comm) bind(C)
      import :: c_int
      integer(c_int), value :: comm
    end function
    integer(c_int) function c_group_of(comm) bind(C)
      import :: c_int
      integer(c_int), value :: comm
    end function
    integer(c_int) function c_start_receive(comm, buffer, count, source) bind(C)
      import :: c_int
      integer(c_int), value :: comm, count, source
      integer(c_int) :: buffer(*)
    end function
    integer(c_int) function c_wait(request) bind(C)
      import :: c_int
      integer(c_int), value :: request
    end function
    integer(c_int) function c_matched_probe(comm, source) bind(C)
      import :: c_int
      integer(c_int), value :: comm, source
    end function
    integer(c_int) function c_parity_comm(comm) bind(C)
      import :: c_int
      integer(c_int), value :: comm
    end function
  end interface
  integer :: ierr, rank, nranks, comm, group, group_size, request, message, parity, left, right
  integer :: received(3), sent(3), probed(2), parity_sum, source, status(MPI_STATUS_SIZE)
  integer :: results(6), all_results(6, 64)

  call MPI_Init(ierr)
  call MPI_Comm_rank(MPI_COMM_WORLD, rank, ierr)
  call MPI_Comm_size(MPI_COMM_WORLD, nranks, ierr)
  call MPI_Comm_dup(MPI_COMM_WORLD, comm, ierr)
  left = mod(rank + nranks - 1, nranks)
  right = mod(rank + 1, nranks)

  ! Communicator: the C side sees the same rank.
  results(1) = c_rank_of(comm)

  ! Group made in C, used and freed in Fortran.
  group = c_group_of(comm)
  call MPI_Group_size(group, group_size, ierr)
  call MPI_Group_free(group, ierr)
  results(2) = group_size

  ! Request started in C, completed in Fortran.
  received = -1
  request = c_start_receive(comm, received, 3, left)
  sent = [rank, 10 * rank, 100 * rank]
  call MPI_Send(sent, 3, MPI_INTEGER, right, 11, comm, ierr)
  call MPI_Wait(request, status, ierr)
  results(3) = received(3) / 100 + status(MPI_SOURCE) * 1000

  ! Request started in Fortran, completed in C.
  call MPI_Irecv(received, 3, MPI_INTEGER, left, 13, comm, request, ierr)
  call MPI_Send(sent, 3, MPI_INTEGER, right, 13, comm, ierr)
  source = c_wait(request)
  results(4) = received(2) / 10 + source * 1000

  ! Message matched in C, received in Fortran.
  call MPI_Send(sent(1:2), 2, MPI_INTEGER, right, 12, comm, ierr)
  message = c_matched_probe(comm, left)
  call MPI_Mrecv(probed, 2, MPI_INTEGER, message, status, ierr)
  results(5) = probed(1) + status(MPI_TAG) * 1000

  ! Communicator made in C, used and freed in Fortran.
  parity = c_parity_comm(comm)
  call MPI_Allreduce(rank, parity_sum, 1, MPI_INTEGER, MPI_SUM, parity, ierr)
  call MPI_Comm_free(parity, ierr)
  results(6) = parity_sum

  call MPI_Gather(results, 6, MPI_INTEGER, all_results, 6, MPI_INTEGER, 0, comm, ierr)
  if (rank == 0) then
    do source = 1, nranks
      write (*, '(a,i0,a,6(1x,i0))') 'rank ', source - 1, ':', all_results(:, source)
    end do
  end if
  call MPI_Comm_free(comm, ierr)
  call MPI_Finalize(ierr)
end program mixed_language
