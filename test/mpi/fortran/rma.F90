#include "binding.h"

! One-sided communication from Fortran: puts, gets and accumulates under fences, a counter
! of MPI_Fetch_and_op under shared locks, the window's attributes as values, and a user
! keyval whose delete callback runs when the window is freed.
program rma
  MPI_USE
  use ferry_check
  implicit none
  MPI_INCLUDE

  integer, parameter :: INCREMENTS = 20
  integer(kind=MPI_ADDRESS_KIND), parameter :: EXTRA_STATE = 99
  integer :: rank, nranks, deletions = 0, null_window_deletions = 0
  integer(kind=MPI_ADDRESS_KIND) :: last_deleted = -1

  call start('rma')
  rank = world_rank()
  nranks = world_size()
  call fences()
  call counter()
  call finish()

contains

  subroutine delete_attribute(win, win_keyval, attribute_val, extra_state, ierror)
    HANDLE(MPI_Win) :: win
    integer :: win_keyval, ierror
    integer(kind=MPI_ADDRESS_KIND) :: attribute_val, extra_state
    ! Open MPI 4.1 does not pass the Fortran handle of the window being freed (as with
    ! communicators), so the window argument is only counted, not checked.
    if (win == MPI_WIN_NULL) null_window_deletions = null_window_deletions + 1
    if (extra_state == EXTRA_STATE .and. win_keyval /= MPI_KEYVAL_INVALID) deletions = deletions + 1
    last_deleted = attribute_val
    ierror = MPI_SUCCESS
  end subroutine delete_attribute

  subroutine fences()
    HANDLE(MPI_Win) :: win
    integer, volatile :: memory(8)
    integer :: values(4), fetched(2), i, right, keyval
    integer(kind=MPI_ADDRESS_KIND) :: window_bytes, value
    logical :: flag
    right = mod(rank + 1, nranks)
    memory = [(rank * 100 + i, i = 1, 8)]
    values = [(rank * 10 + i, i = 1, 4)]
    window_bytes = 32
    call MPI_Win_create(memory, window_bytes, 4, MPI_INFO_NULL, MPI_COMM_WORLD, win, ierr); CHK
    call MPI_Win_get_attr(win, MPI_WIN_SIZE, value, flag, ierr); CHK
    call check(flag .and. value == 32, 'MPI_WIN_SIZE is the size', __LINE__)
    call MPI_Win_get_attr(win, MPI_WIN_DISP_UNIT, value, flag, ierr); CHK
    call check(flag .and. value == 4, 'MPI_WIN_DISP_UNIT is the unit', __LINE__)
    call MPI_Win_fence(0, win, ierr); CHK
    call MPI_Put(values, 4, MPI_INTEGER, right, 0_MPI_ADDRESS_KIND, 4, MPI_INTEGER, win, ierr); CHK
    call MPI_Win_fence(0, win, ierr); CHK
    call MPI_Accumulate(values, 4, MPI_INTEGER, right, 4_MPI_ADDRESS_KIND, 4, MPI_INTEGER, MPI_SUM, win, ierr); CHK
    call MPI_Get(fetched, 2, MPI_INTEGER, right, 0_MPI_ADDRESS_KIND, 2, MPI_INTEGER, win, ierr); CHK
    call MPI_Win_fence(0, win, ierr); CHK
    call out('memory ' // str(memory(1)) // ' ' // str(memory(4)) // ' ' // str(memory(5)) // ' ' // &
             str(memory(8)) // ' fetched ' // str(fetched(1)) // ' ' // str(fetched(2)))
    call MPI_Win_create_keyval(MPI_WIN_NULL_COPY_FN, delete_attribute, keyval, EXTRA_STATE, ierr); CHK
    call MPI_Win_set_attr(win, keyval, 4242_MPI_ADDRESS_KIND, ierr); CHK
    call MPI_Win_get_attr(win, keyval, value, flag, ierr); CHK
    call check(flag .and. value == 4242, 'the user attribute', __LINE__)
    call MPI_Win_free(win, ierr); CHK
    call check_int(deletions, 1, 'delete callbacks', __LINE__)
    call check(last_deleted == 4242, 'the deleted value', __LINE__)
    call MPI_Win_free_keyval(keyval, ierr); CHK
    call out_flush()
  end subroutine fences

  subroutine counter()
    HANDLE(MPI_Win) :: win
    integer, volatile :: count
    integer :: one, old, fetched_sum, all_fetched, i
    integer(kind=MPI_ADDRESS_KIND) :: bytes
    count = 0
    one = 1
    fetched_sum = 0
    bytes = 4
    call MPI_Win_create(count, bytes, 4, MPI_INFO_NULL, MPI_COMM_WORLD, win, ierr); CHK
    call MPI_Barrier(MPI_COMM_WORLD, ierr); CHK
    do i = 1, INCREMENTS
      call MPI_Win_lock(MPI_LOCK_SHARED, 0, 0, win, ierr); CHK
      call MPI_Fetch_and_op(one, old, MPI_INTEGER, 0, 0_MPI_ADDRESS_KIND, MPI_SUM, win, ierr); CHK
      call MPI_Win_unlock(0, win, ierr); CHK
      fetched_sum = fetched_sum + old
    end do
    call MPI_Allreduce(fetched_sum, all_fetched, 1, MPI_INTEGER, MPI_SUM, MPI_COMM_WORLD, ierr); CHK
    call check_int(all_fetched, INCREMENTS * nranks * (INCREMENTS * nranks - 1) / 2, 'fetched values', __LINE__)
    call MPI_Win_lock(MPI_LOCK_EXCLUSIVE, rank, 0, win, ierr); CHK
    if (rank == 0) call out('counter ' // str(count))
    call MPI_Win_unlock(rank, win, ierr); CHK
    call MPI_Win_free(win, ierr); CHK
    call out_flush()
  end subroutine counter

end program rma
