#include "binding.h"

! Request completion: Wait/Test in all flavours over arrays that mix communicators and
! MPI_REQUEST_NULL, with statuses and with MPI_STATUS(ES)_IGNORE; the indices Waitany,
! Testany, Waitsome and Testsome return count from 1. Request_free and Request_get_status.
program requests
  MPI_USE
  use ferry_check
  implicit none
  MPI_INCLUDE

  integer, parameter :: SLOTS = 10, PAYLOAD = 4

  ! One array of requests: receives and sends on MPI_COMM_WORLD, MPI_COMM_SELF, a dup of
  ! MPI_COMM_SELF and a communicator of ranks 0 and 1 only, with null entries between.
  type mixed
    HANDLE(MPI_Request) :: requests(SLOTS)
    STATUS_T :: STATUS_ARRAY(statuses, SLOTS)
    logical :: is_receive(SLOTS)
    integer :: source(SLOTS), sender_world_rank(SLOTS), tag(SLOTS), completions(SLOTS)
    integer :: incoming(PAYLOAD, SLOTS), outgoing(PAYLOAD, SLOTS)
  end type mixed

  HANDLE(MPI_Comm) :: self_dup, pair
  integer :: rank, nranks, color

  call start('requests')
  rank = world_rank()
  nranks = world_size()
  call MPI_Comm_dup(MPI_COMM_SELF, self_dup, ierr); CHK
  color = MPI_UNDEFINED
  if (rank < 2) color = 0
  call MPI_Comm_split(MPI_COMM_WORLD, color, rank, pair, ierr); CHK
  if (rank == 0) call out('world size ' // str(nranks))
  call run_wait_and_test()
  call run_waitall(1)
  call run_testall(2)
  call run_waitany(3)
  call run_testany(4)
  call run_some(5, .true.)
  call run_some(6, .false.)
  call run_ignoring(7)
  call run_request_free()
  if (pair /= MPI_COMM_NULL) then
    call MPI_Comm_free(pair, ierr); CHK
  end if
  call MPI_Comm_free(self_dup, ierr); CHK
  call finish()

contains

  integer function payload_value(sender, tag, k)
    integer, intent(in) :: sender, tag, k
    payload_value = sender * 1000 + tag * 10 + k
  end function payload_value

  subroutine post_receive(m, slot, comm, source, sender_world_rank, tag)
    type(mixed), intent(inout), asynchronous :: m
    integer, intent(in) :: slot, source, sender_world_rank, tag
    HANDLE(MPI_Comm), intent(in) :: comm
    m%is_receive(slot) = .true.
    m%source(slot) = source
    m%sender_world_rank(slot) = sender_world_rank
    m%tag(slot) = tag
    call MPI_Irecv(m%incoming(:, slot), PAYLOAD, MPI_INTEGER, source, tag, comm, &
                   m%requests(slot), ierr); CHK
  end subroutine post_receive

  subroutine post_send(m, slot, comm, dest, tag)
    type(mixed), intent(inout), asynchronous :: m
    integer, intent(in) :: slot, dest, tag
    HANDLE(MPI_Comm), intent(in) :: comm
    integer :: k
    do k = 1, PAYLOAD
      m%outgoing(k, slot) = payload_value(rank, tag, k)
    end do
    call MPI_Isend(m%outgoing(:, slot), PAYLOAD, MPI_INTEGER, dest, tag, comm, &
                   m%requests(slot), ierr); CHK
  end subroutine post_send

  subroutine post_mixed(m, round)
    type(mixed), intent(inout), asynchronous :: m
    integer, intent(in) :: round
    integer :: next, prev, tag
    next = mod(rank + 1, nranks)
    prev = mod(rank + nranks - 1, nranks)
    m%requests = MPI_REQUEST_NULL
    m%is_receive = .false.
    m%source = -1
    m%sender_world_rank = -1
    m%tag = -1
    m%completions = 0
    m%incoming = -1
    m%outgoing = -1
    tag = round * 8
    call post_receive(m, 1, MPI_COMM_WORLD, prev, prev, tag + 1)
    call post_receive(m, 4, MPI_COMM_SELF, 0, rank, tag + 2)
    call post_receive(m, 6, self_dup, 0, rank, tag + 3)
    if (pair /= MPI_COMM_NULL) call post_receive(m, 8, pair, 1 - rank, 1 - rank, tag + 4)
    call post_send(m, 2, MPI_COMM_WORLD, next, tag + 1)
    call post_send(m, 5, MPI_COMM_SELF, 0, tag + 2)
    call post_send(m, 7, self_dup, 0, tag + 3)
    if (pair /= MPI_COMM_NULL) call post_send(m, 9, pair, 1 - rank, tag + 4)
  end subroutine post_mixed

  subroutine check_empty_status(st)
    STATUS_T, intent(in) :: STATUS_VAR(st)
    integer :: count
    ! The standard says MPI_ANY_SOURCE; Open MPI reports MPI_PROC_NULL.
    call check(STATUS_SOURCE(st) == MPI_ANY_SOURCE .or. STATUS_SOURCE(st) == MPI_PROC_NULL, &
               'empty status source ' // str(STATUS_SOURCE(st)), __LINE__)
    call check_int(STATUS_TAG(st), MPI_ANY_TAG, 'empty status tag', __LINE__)
    count = -1
    call MPI_Get_count(st, MPI_INTEGER, count, ierr); CHK
    call check_int(count, 0, 'empty status count', __LINE__)
  end subroutine check_empty_status

  ! Every request completed, every receive once, with its data; statuses unless ignored.
  subroutine verify_mixed(m, with_statuses)
    type(mixed), intent(in) :: m
    logical, intent(in) :: with_statuses
    STATUS_T :: STATUS_VAR(st)
    integer :: i, k, count
    do i = 1, SLOTS
      call check(m%requests(i) == MPI_REQUEST_NULL, 'slot ' // str(i) // ' still active', __LINE__)
      if (.not. m%is_receive(i)) cycle
      call check_int(m%completions(i), 1, 'completions of a receive slot', __LINE__)
      do k = 1, PAYLOAD
        call check_int(m%incoming(k, i), payload_value(m%sender_world_rank(i), m%tag(i), k), &
                       'mixed receive payload', __LINE__)
      end do
      if (.not. with_statuses) cycle
      st = STATUS_AT(m%statuses, i)
      call check_int(STATUS_SOURCE(st), m%source(i), 'mixed receive source', __LINE__)
      call check_int(STATUS_TAG(st), m%tag(i), 'mixed receive tag', __LINE__)
      count = -1
      call MPI_Get_count(st, MPI_INTEGER, count, ierr); CHK
      call check_int(count, PAYLOAD, 'mixed receive count', __LINE__)
    end do
  end subroutine verify_mixed

  ! After Waitall/Testall, the slots that held MPI_REQUEST_NULL carry the empty status.
  subroutine complete_all(m, was_null)
    type(mixed), intent(inout) :: m
    logical, intent(in) :: was_null(SLOTS)
    STATUS_T :: STATUS_VAR(st)
    integer :: i
    do i = 1, SLOTS
      if (m%is_receive(i)) m%completions(i) = 1
      if (.not. was_null(i)) cycle
      st = STATUS_AT(m%statuses, i)
      call check_empty_status(st)
    end do
    call verify_mixed(m, .true.)
  end subroutine complete_all

  integer function active_count(m, was_null)
    type(mixed), intent(in) :: m
    logical, intent(out) :: was_null(SLOTS)
    integer :: i
    do i = 1, SLOTS
      was_null(i) = m%requests(i) == MPI_REQUEST_NULL
    end do
    active_count = count(.not. was_null)
  end function active_count

  subroutine run_waitall(round)
    integer, intent(in) :: round
    type(mixed), asynchronous :: m
    logical :: was_null(SLOTS)
    integer :: active
    call post_mixed(m, round)
    active = active_count(m, was_null)
    call MPI_Waitall(SLOTS, m%requests, m%statuses, ierr); CHK
    call complete_all(m, was_null)
    call out('waitall: ' // str(active) // ' active of ' // str(SLOTS))
  end subroutine run_waitall

  subroutine run_testall(round)
    integer, intent(in) :: round
    type(mixed), asynchronous :: m
    logical :: was_null(SLOTS), flag
    integer :: active
    call post_mixed(m, round)
    active = active_count(m, was_null)
    flag = .false.
    do while (.not. flag)
      call MPI_Testall(SLOTS, m%requests, flag, m%statuses, ierr); CHK
    end do
    call complete_all(m, was_null)
    call out('testall: ' // str(active) // ' active of ' // str(SLOTS))
  end subroutine run_testall

  subroutine run_waitany(round)
    integer, intent(in) :: round
    type(mixed), asynchronous :: m
    logical :: was_null(SLOTS)
    STATUS_T :: STATUS_VAR(st)
    integer :: active, completed, index
    call post_mixed(m, round)
    active = active_count(m, was_null)
    completed = 0
    do
      index = -1
      call MPI_Waitany(SLOTS, m%requests, index, st, ierr); CHK
      if (index == MPI_UNDEFINED) exit
      call check(index >= 1 .and. index <= SLOTS, 'Waitany index ' // str(index), __LINE__)
      call check(.not. was_null(index), 'Waitany index of a null slot', __LINE__)
      m%completions(index) = m%completions(index) + 1
      STATUS_AT(m%statuses, index) = st
      completed = completed + 1
    end do
    call check_int(completed, active, 'Waitany completions', __LINE__)
    call verify_mixed(m, .true.)
    call out('waitany: ' // str(completed) // ' completions')
  end subroutine run_waitany

  subroutine run_testany(round)
    integer, intent(in) :: round
    type(mixed), asynchronous :: m
    logical :: was_null(SLOTS), flag
    STATUS_T :: STATUS_VAR(st)
    integer :: active, completed, index
    call post_mixed(m, round)
    active = active_count(m, was_null)
    completed = 0
    do
      index = -1
      flag = .false.
      call MPI_Testany(SLOTS, m%requests, index, flag, st, ierr); CHK
      if (flag .and. index == MPI_UNDEFINED) exit
      if (.not. flag) cycle
      call check(index >= 1 .and. index <= SLOTS, 'Testany index ' // str(index), __LINE__)
      call check(.not. was_null(index), 'Testany index of a null slot', __LINE__)
      m%completions(index) = m%completions(index) + 1
      STATUS_AT(m%statuses, index) = st
      completed = completed + 1
    end do
    call check_int(completed, active, 'Testany completions', __LINE__)
    call verify_mixed(m, .true.)
    call out('testany: ' // str(completed) // ' completions')
  end subroutine run_testany

  subroutine run_some(round, waiting)
    integer, intent(in) :: round
    logical, intent(in) :: waiting
    type(mixed), asynchronous :: m
    logical :: was_null(SLOTS)
    STATUS_T :: STATUS_ARRAY(statuses, SLOTS)
    integer :: active, completed, outcount, indices(SLOTS), j
    call post_mixed(m, round)
    active = active_count(m, was_null)
    completed = 0
    do
      outcount = -1
      if (waiting) then
        call MPI_Waitsome(SLOTS, m%requests, outcount, indices, statuses, ierr); CHK
      else
        call MPI_Testsome(SLOTS, m%requests, outcount, indices, statuses, ierr); CHK
      end if
      if (outcount == MPI_UNDEFINED) exit
      call check(outcount >= 0 .and. outcount <= SLOTS, 'outcount ' // str(outcount), __LINE__)
      if (waiting) call check(outcount > 0, 'Waitsome returned no completion', __LINE__)
      do j = 1, outcount
        call check(indices(j) >= 1 .and. indices(j) <= SLOTS, 'index ' // str(indices(j)), &
                   __LINE__)
        m%completions(indices(j)) = m%completions(indices(j)) + 1
        STATUS_AT(m%statuses, indices(j)) = STATUS_AT(statuses, j)
      end do
      completed = completed + outcount
    end do
    call check_int(completed, active, 'Waitsome/Testsome completions', __LINE__)
    call verify_mixed(m, .true.)
    if (waiting) then
      call out('waitsome: ' // str(completed) // ' completions')
    else
      call out('testsome: ' // str(completed) // ' completions')
    end if
  end subroutine run_some

  ! The same arrays completed with MPI_STATUSES_IGNORE and MPI_STATUS_IGNORE.
  subroutine run_ignoring(round)
    integer, intent(in) :: round
    type(mixed), asynchronous :: m
    logical :: was_null(SLOTS), flag
    integer :: active, completed, index, outcount, indices(SLOTS), j
    call post_mixed(m, round)
    call MPI_Waitall(SLOTS, m%requests, MPI_STATUSES_IGNORE, ierr); CHK
    where (m%is_receive) m%completions = 1
    call verify_mixed(m, .false.)
    call out('waitall with MPI_STATUSES_IGNORE: ok')

    call post_mixed(m, round + 1)
    flag = .false.
    do while (.not. flag)
      call MPI_Testall(SLOTS, m%requests, flag, MPI_STATUSES_IGNORE, ierr); CHK
    end do
    where (m%is_receive) m%completions = 1
    call verify_mixed(m, .false.)
    call out('testall with MPI_STATUSES_IGNORE: ok')

    call post_mixed(m, round + 2)
    active = active_count(m, was_null)
    completed = 0
    do
      call MPI_Waitany(SLOTS, m%requests, index, MPI_STATUS_IGNORE, ierr); CHK
      if (index == MPI_UNDEFINED) exit
      m%completions(index) = m%completions(index) + 1
      completed = completed + 1
    end do
    call check_int(completed, active, 'Waitany completions', __LINE__)
    call verify_mixed(m, .false.)
    call out('waitany with MPI_STATUS_IGNORE: ' // str(completed) // ' completions')

    call post_mixed(m, round + 3)
    completed = 0
    do
      call MPI_Testsome(SLOTS, m%requests, outcount, indices, MPI_STATUSES_IGNORE, ierr); CHK
      if (outcount == MPI_UNDEFINED) exit
      do j = 1, outcount
        m%completions(indices(j)) = m%completions(indices(j)) + 1
      end do
      completed = completed + outcount
    end do
    call check_int(completed, active, 'Testsome completions', __LINE__)
    call verify_mixed(m, .false.)
    call out('testsome with MPI_STATUSES_IGNORE: ' // str(completed) // ' completions')
  end subroutine run_ignoring

  subroutine run_wait_and_test()
    integer :: next, prev
    integer, asynchronous :: outgoing, incoming
    HANDLE(MPI_Request) :: receive, send
    STATUS_T :: STATUS_VAR(st)
    logical :: flag
    next = mod(rank + 1, nranks)
    prev = mod(rank + nranks - 1, nranks)
    outgoing = rank * 3 + 1
    incoming = -1
    call MPI_Irecv(incoming, 1, MPI_INTEGER, prev, 90, MPI_COMM_WORLD, receive, ierr); CHK
    call MPI_Isend(outgoing, 1, MPI_INTEGER, next, 90, MPI_COMM_WORLD, send, ierr); CHK
    flag = .false.
    do while (.not. flag)
      call MPI_Test(receive, flag, st, ierr); CHK
    end do
    call check(receive == MPI_REQUEST_NULL, 'Test did not free the completed request', __LINE__)
    call check_int(STATUS_SOURCE(st), prev, 'Test status source', __LINE__)
    call check_int(incoming, prev * 3 + 1, 'Test payload', __LINE__)
    call MPI_Wait(send, MPI_STATUS_IGNORE, ierr); CHK
    call MPI_Wait(send, st, ierr); CHK
    call check_empty_status(st)
    flag = .false.
    call MPI_Test(send, flag, st, ierr); CHK
    call check(flag, 'Test of MPI_REQUEST_NULL is not complete', __LINE__)
    call out('wait/test: got ' // str(incoming) // ' from ' // str(prev))
  end subroutine run_wait_and_test

  subroutine run_request_free()
    integer :: next, prev, k
    integer, asynchronous :: outgoing(PAYLOAD), incoming(PAYLOAD)
    HANDLE(MPI_Request) :: send, receive
    STATUS_T :: STATUS_VAR(st)
    logical :: flag
    next = mod(rank + 1, nranks)
    prev = mod(rank + nranks - 1, nranks)
    do k = 1, PAYLOAD
      outgoing(k) = payload_value(rank, 91, k)
    end do
    call MPI_Isend(outgoing, PAYLOAD, MPI_INTEGER, next, 91, MPI_COMM_WORLD, send, ierr); CHK
    call MPI_Request_free(send, ierr); CHK
    call check(send == MPI_REQUEST_NULL, 'Request_free did not null the handle', __LINE__)
    call MPI_Irecv(incoming, PAYLOAD, MPI_INTEGER, prev, 91, MPI_COMM_WORLD, receive, ierr); CHK
    flag = .false.
    do while (.not. flag)
      call MPI_Request_get_status(receive, flag, st, ierr); CHK
    end do
    call check(receive /= MPI_REQUEST_NULL, 'Request_get_status freed the request', __LINE__)
    call check_int(STATUS_SOURCE(st), prev, 'Request_get_status source', __LINE__)
    call check_int(STATUS_TAG(st), 91, 'Request_get_status tag', __LINE__)
    call MPI_Wait(receive, MPI_STATUS_IGNORE, ierr); CHK
    do k = 1, PAYLOAD
      call check_int(incoming(k), payload_value(prev, 91, k), 'payload of a freed send', __LINE__)
    end do
    ! The freed send's buffer must outlive its delivery.
    call MPI_Barrier(MPI_COMM_WORLD, ierr); CHK
    call out('request_free and request_get_status: ok')
  end subroutine run_request_free

end program requests
