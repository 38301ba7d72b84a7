! The Fortran side of unsupported_call.c, through `use mpi`: a window on a communicator
! with function ranks is refused with an error naming the call, whether the program
! passes its base pointer as an address-sized INTEGER or as TYPE(C_PTR) (the second is
! Open MPI's separate MPI_WIN_ALLOCATE_CPTR). Exits 0 when that holds on every rank.
program unsupported_call_fortran
  use mpi
  use, intrinsic :: iso_c_binding, only: c_ptr
  implicit none
  integer :: ierror, code, rank, failures, total, window
  integer(kind=MPI_ADDRESS_KIND) :: size, address
  type(c_ptr) :: pointer
  character(len=MPI_MAX_ERROR_STRING) :: text

  call MPI_Init(ierror)
  call MPI_Comm_rank(MPI_COMM_WORLD, rank, ierror)
  call MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN, ierror)
  failures = 0
  size = 64

  call MPI_Win_allocate(size, 1, MPI_INFO_NULL, MPI_COMM_WORLD, address, window, code)
  call expect_refused(code, 'MPI_Win_allocate')
  call MPI_Win_allocate(size, 1, MPI_INFO_NULL, MPI_COMM_WORLD, pointer, window, code)
  call expect_refused(code, 'MPI_Win_allocate')
  call MPI_Win_allocate_shared(size, 1, MPI_INFO_NULL, MPI_COMM_WORLD, pointer, window, code)
  call expect_refused(code, 'MPI_Win_allocate_shared')

  call MPI_Allreduce(failures, total, 1, MPI_INTEGER, MPI_SUM, MPI_COMM_WORLD, ierror)
  if (rank == 0 .and. total == 0) print '(a)', 'ok'
  call MPI_Finalize(ierror)
  if (total /= 0) stop 1

contains

  subroutine expect_refused(code, name)
    integer, intent(in) :: code
    character(*), intent(in) :: name
    integer :: length, status
    text = ''
    call MPI_Error_string(code, text, length, status)
    if (code == MPI_SUCCESS .or. index(text, name // ' is not supported on communicators with function ranks') == 0) then
      print '(a,a,a,i0,a,a)', 'FAIL: ', name, ' on MPI_COMM_WORLD returned ', code, ': ', trim(text)
      failures = failures + 1
    end if
  end subroutine expect_refused

end program unsupported_call_fortran
