! The Fortran side of unsupported_call.c, through `use mpi`: a call the shim does not
! support on a communicator with function ranks is refused with an error naming it, and
! MPI_Win_allocate, whose base pointer Open MPI takes either as an address-sized INTEGER
! or as TYPE(C_PTR) (its separate MPI_WIN_ALLOCATE_CPTR), serves both forms on such a
! communicator. Exits 0 when that holds on every rank.
program unsupported_call_fortran
  use mpi
  use, intrinsic :: iso_c_binding, only: c_ptr, c_f_pointer
  implicit none
  integer :: ierror, code, rank, size, failures, total, window, receive, value
  integer(kind=MPI_ADDRESS_KIND) :: bytes, address, displacement
  type(c_ptr) :: pointer
  integer, pointer :: cells(:)
  character(len=MPI_MAX_ERROR_STRING) :: text

  call MPI_Init(ierror)
  call MPI_Comm_rank(MPI_COMM_WORLD, rank, ierror)
  call MPI_Comm_size(MPI_COMM_WORLD, size, ierror)
  call MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN, ierror)
  failures = 0

  call MPI_Irecv(value, 1, MPI_INTEGER, MPI_ANY_SOURCE, 99, MPI_COMM_WORLD, receive, ierror)
  call MPI_Grequest_complete(receive, code)
  call expect_refused(code, 'MPI_Grequest_complete')
  call MPI_Cancel(receive, ierror)
  call MPI_Wait(receive, MPI_STATUS_IGNORE, ierror)

  bytes = 4
  call MPI_Win_allocate(bytes, 4, MPI_INFO_NULL, MPI_COMM_WORLD, address, window, code)
  call expect_success(code, 'MPI_Win_allocate (INTEGER base)')
  if (code == MPI_SUCCESS) call MPI_Win_free(window, ierror)

  call MPI_Win_allocate(bytes, 4, MPI_INFO_NULL, MPI_COMM_WORLD, pointer, window, code)
  call expect_success(code, 'MPI_Win_allocate (TYPE(C_PTR) base)')
  if (code == MPI_SUCCESS) then
    call c_f_pointer(pointer, cells, [1])
    cells(1) = -1
    displacement = 0
    call MPI_Win_fence(0, window, ierror)
    call MPI_Put(rank, 1, MPI_INTEGER, mod(rank + 1, size), displacement, 1, MPI_INTEGER, window, ierror)
    call MPI_Win_fence(0, window, ierror)
    if (cells(1) /= mod(rank + size - 1, size)) then
      print '(a,i0,a,i0)', 'FAIL: rank ', rank, ' holds ', cells(1)
      failures = failures + 1
    end if
    call MPI_Win_free(window, ierror)
  end if

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

  subroutine expect_success(code, name)
    integer, intent(in) :: code
    character(*), intent(in) :: name
    if (code /= MPI_SUCCESS) then
      print '(a,a,a,i0)', 'FAIL: ', name, ' on MPI_COMM_WORLD returned ', code
      failures = failures + 1
    end if
  end subroutine expect_success

end program unsupported_call_fortran
