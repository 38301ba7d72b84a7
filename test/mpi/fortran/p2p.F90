#include "binding.h"

! Point-to-point: every send mode (buffered with MPI_Buffer_attach), wildcards, statuses and
! MPI_Get_count, probes, cancel, persistent requests and message order.
program p2p
  MPI_USE
  use ferry_check
#if defined(BINDING_F08)
  use, intrinsic :: iso_c_binding, only: c_ptr
#endif
  implicit none
  MPI_INCLUDE

  integer, parameter :: MAX_RANKS = 8, MODE_COUNT = 8, SIZE_COUNT = 4
  integer, parameter :: SEND = 0, SSEND = 1, RSEND = 2, BSEND = 3, ISEND = 4, ISSEND = 5, &
                        IRSEND = 6, IBSEND = 7
  character(len=6), parameter :: mode_names(0:MODE_COUNT - 1) = &
    [character(len=6) :: 'Send', 'Ssend', 'Rsend', 'Bsend', 'Isend', 'Issend', 'Irsend', 'Ibsend']
  ! 0 B, 8 B, 64 KiB and 4 MiB of MPI_INTEGER.
  integer, parameter :: sizes(0:SIZE_COUNT - 1) = [0, 2, 16384, 1048576]
  integer :: rank, nranks

  call start('p2p')
  rank = world_rank()
  nranks = world_size()
  call check(nranks <= MAX_RANKS, 'at most 8 ranks supported', __LINE__)
  if (rank == 0) call out('world size ' // str(nranks))
  call check_ring()
  call check_all_pairs()
  call check_sendrecv()
  call check_proc_null()
  call check_wildcards()
  call MPI_Barrier(MPI_COMM_WORLD OPT_IERR); OPT_CHK
  call check_truncate()
  call check_probes()
  call check_cancel()
  call check_persistent()
  call check_order()
  call finish()

contains

  integer function value(src, dst, salt, i)
    integer, intent(in) :: src, dst, salt, i
    value = src * 1000003 + dst * 7919 + salt * 31 + i
  end function value

  subroutine fill_message(buf, src, dst, salt, count)
    integer, intent(out) :: buf(:)
    integer, intent(in) :: src, dst, salt, count
    integer :: i
    do i = 1, count
      buf(i) = value(src, dst, salt, i - 1)
    end do
  end subroutine fill_message

  subroutine check_message(buf, src, dst, salt, count)
    integer, intent(in) :: buf(:)
    integer, intent(in) :: src, dst, salt, count
    integer :: i
    do i = 1, count
      if (buf(i) /= value(src, dst, salt, i - 1)) &
        call fail(__LINE__, 'message ' // str(src) // '->' // str(dst) // ' salt ' // &
                  str(salt) // ': element ' // str(i - 1) // ' is ' // str(buf(i)) // &
                  ', expected ' // str(value(src, dst, salt, i - 1)))
    end do
  end subroutine check_message

  subroutine check_status(st, source, tag, count)
    STATUS_T, intent(in) :: STATUS_VAR(st)
    integer, intent(in) :: source, tag, count
    integer :: got
    call check_int(STATUS_SOURCE(st), source, 'status source', __LINE__)
    call check_int(STATUS_TAG(st), tag, 'status tag', __LINE__)
    got = -1
    call MPI_Get_count(st, MPI_INTEGER, got, ierr); CHK
    call check_int(got, count, 'Get_count', __LINE__)
    got = -1
    call MPI_Get_elements(st, MPI_INTEGER, got, ierr); CHK
    call check_int(got, count, 'Get_elements', __LINE__)
  end subroutine check_status

  subroutine send_with_mode(mode, buf, count, dst, tag, request)
    integer, intent(in) :: mode, count, dst, tag
    integer, intent(in), asynchronous :: buf(*)
    HANDLE(MPI_Request), intent(inout) :: request
    request = MPI_REQUEST_NULL
    select case (mode)
    case (SEND)
      call MPI_Send(buf, count, MPI_INTEGER, dst, tag, MPI_COMM_WORLD, ierr)
    case (SSEND)
      call MPI_Ssend(buf, count, MPI_INTEGER, dst, tag, MPI_COMM_WORLD, ierr)
    case (RSEND)
      call MPI_Rsend(buf, count, MPI_INTEGER, dst, tag, MPI_COMM_WORLD, ierr)
    case (BSEND)
      call MPI_Bsend(buf, count, MPI_INTEGER, dst, tag, MPI_COMM_WORLD, ierr)
    case (ISEND)
      call MPI_Isend(buf, count, MPI_INTEGER, dst, tag, MPI_COMM_WORLD, request, ierr)
    case (ISSEND)
      call MPI_Issend(buf, count, MPI_INTEGER, dst, tag, MPI_COMM_WORLD, request, ierr)
    case (IRSEND)
      call MPI_Irsend(buf, count, MPI_INTEGER, dst, tag, MPI_COMM_WORLD, request, ierr)
    case default
      call MPI_Ibsend(buf, count, MPI_INTEGER, dst, tag, MPI_COMM_WORLD, request, ierr)
    end select
    CHK
  end subroutine send_with_mode

  ! Every rank sends one message to every other rank with the given mode; receives are
  ! posted (and a barrier passed) first so that ready sends are legal.
  subroutine all_pairs(mode, size_index)
    integer, intent(in) :: mode, size_index
    integer, allocatable, asynchronous :: incoming(:, :), outgoing(:, :)
    integer, allocatable, asynchronous :: attached(:)
    HANDLE(MPI_Request) :: requests(0:2 * MAX_RANKS - 1)
    STATUS_T :: STATUS_ARRAY(statuses, 2 * MAX_RANKS)
    STATUS_T :: STATUS_VAR(st)
    integer :: count, tag, peer, step, packed, bytes, detached_bytes
#if defined(BINDING_F08)
    type(c_ptr) :: detached
#else
    integer(kind=MPI_ADDRESS_KIND) :: detached
#endif
    count = sizes(size_index)
    tag = mode * 16 + size_index
    allocate (incoming(max(count, 1), 0:nranks - 1), outgoing(max(count, 1), 0:nranks - 1))
    if (mode == BSEND .or. mode == IBSEND) then
      call MPI_Pack_size(count, MPI_INTEGER, MPI_COMM_WORLD, packed, ierr); CHK
      bytes = (nranks - 1) * (packed + MPI_BSEND_OVERHEAD)
      allocate (attached(bytes / 4 + 1))
      call MPI_Buffer_attach(attached, bytes, ierr); CHK
    end if
    requests = MPI_REQUEST_NULL
    do peer = 0, nranks - 1
      if (peer == rank) cycle
      call MPI_Irecv(incoming(:, peer), count, MPI_INTEGER, peer, tag, MPI_COMM_WORLD, &
                     requests(peer), ierr); CHK
    end do
    call MPI_Barrier(MPI_COMM_WORLD, ierr); CHK
    do step = 1, nranks - 1
      peer = mod(rank + step, nranks)
      call fill_message(outgoing(:, peer), rank, peer, tag, count)
      call send_with_mode(mode, outgoing(:, peer), count, peer, tag, requests(nranks + peer))
    end do
    call MPI_Waitall(2 * nranks, requests, statuses, ierr); CHK
    do peer = 0, nranks - 1
      if (peer == rank) cycle
      st = STATUS_AT(statuses, peer + 1)
      call check_status(st, peer, tag, count)
      call check_message(incoming(:, peer), peer, rank, tag, count)
    end do
    if (mode == BSEND .or. mode == IBSEND) then
      call MPI_Buffer_detach(detached, detached_bytes, ierr); CHK
      call check_int(detached_bytes, bytes, 'size of the detached buffer', __LINE__)
    end if
  end subroutine all_pairs

  subroutine check_all_pairs()
    integer :: mode, s, largest
    do mode = 0, MODE_COUNT - 1
      largest = SIZE_COUNT - 1
      if (mode == SEND .or. mode == ISEND) largest = SIZE_COUNT
      do s = 0, largest - 1
        call all_pairs(mode, s)
      end do
      call out('all pairs ' // trim(mode_names(mode)) // ' up to ' // &
               str(sizes(largest - 1) * 4) // ' bytes: ok')
    end do
  end subroutine check_all_pairs

  subroutine check_ring()
    integer, allocatable, asynchronous :: outgoing(:), incoming(:)
    HANDLE(MPI_Request) :: request
    STATUS_T :: STATUS_VAR(st)
    integer :: next, prev, s, count
    next = mod(rank + 1, nranks)
    prev = mod(rank + nranks - 1, nranks)
    do s = 0, SIZE_COUNT - 1
      count = sizes(s)
      allocate (outgoing(max(count, 1)), incoming(max(count, 1)))
      call fill_message(outgoing, rank, next, s, count)
      call MPI_Isend(outgoing, count, MPI_INTEGER, next, 7, MPI_COMM_WORLD, request, ierr); CHK
      call MPI_Recv(incoming, count, MPI_INTEGER, prev, 7, MPI_COMM_WORLD, st, ierr); CHK
      call MPI_Wait(request, MPI_STATUS_IGNORE, ierr); CHK
      call check(request == MPI_REQUEST_NULL, 'Wait left the request active', __LINE__)
      call check_status(st, prev, 7, count)
      call check_message(incoming, prev, rank, s, count)
      call out('ring ' // str(count * 4) // ' bytes from ' // str(prev) // ': ok')
      deallocate (outgoing, incoming)
    end do
  end subroutine check_ring

  subroutine check_sendrecv()
    integer :: next, prev, outgoing(4), incoming(4)
    STATUS_T :: STATUS_VAR(st)
    next = mod(rank + 1, nranks)
    prev = mod(rank + nranks - 1, nranks)
    outgoing = [rank, rank * 10, rank * 100, rank * 1000]
    incoming = -1
    call MPI_Sendrecv(outgoing, 4, MPI_INTEGER, next, 21, incoming, 4, MPI_INTEGER, prev, 21, &
                      MPI_COMM_WORLD, st, ierr); CHK
    call check_status(st, prev, 21, 4)
    call check_int(incoming(4), prev * 1000, 'Sendrecv payload', __LINE__)
    call MPI_Sendrecv_replace(outgoing, 4, MPI_INTEGER, prev, 22, next, 22, MPI_COMM_WORLD, &
                              st, ierr); CHK
    call check_status(st, next, 22, 4)
    call check_int(outgoing(3), next * 100, 'Sendrecv_replace payload', __LINE__)
    call out('sendrecv from ' // str(prev) // ', sendrecv_replace from ' // str(next) // ': ok')
  end subroutine check_sendrecv

  subroutine check_proc_null()
    integer :: buf(2), count
    STATUS_T :: STATUS_VAR(st)
    buf = [5, 6]
    call MPI_Send(buf, 2, MPI_INTEGER, MPI_PROC_NULL, 1, MPI_COMM_WORLD, ierr); CHK
    call MPI_Recv(buf, 2, MPI_INTEGER, MPI_PROC_NULL, 1, MPI_COMM_WORLD, st, ierr); CHK
    call check_int(STATUS_SOURCE(st), MPI_PROC_NULL, 'PROC_NULL status source', __LINE__)
    call check_int(STATUS_TAG(st), MPI_ANY_TAG, 'PROC_NULL status tag', __LINE__)
    count = -1
    call MPI_Get_count(st, MPI_INTEGER, count, ierr); CHK
    call check_int(count, 0, 'PROC_NULL count', __LINE__)
    call check_int(buf(1), 5, 'PROC_NULL receive leaves the buffer alone', __LINE__)
    if (rank == 0) call out('proc_null: ok')
  end subroutine check_proc_null

  ! Rank 0 receives one message from every other rank with both wildcards; arrival order
  ! is free, so results are recorded by source.
  subroutine check_wildcards()
    integer :: buf(8), i, src
    logical :: seen(MAX_RANKS - 1)
    STATUS_T :: STATUS_VAR(st)
    if (rank /= 0) then
      call fill_message(buf, rank, 0, 40, rank + 1)
      call MPI_Send(buf, rank + 1, MPI_INTEGER, 0, 100 + rank, MPI_COMM_WORLD, ierr); CHK
      return
    end if
    seen = .false.
    do i = 1, nranks - 1
      buf = -1
      call MPI_Recv(buf, 8, MPI_INTEGER, MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, st, ierr)
      CHK
      src = STATUS_SOURCE(st)
      call check(src > 0 .and. src < nranks, 'unexpected wildcard source ' // str(src), __LINE__)
      call check(.not. seen(src), 'second message from ' // str(src), __LINE__)
      seen(src) = .true.
      call check_status(st, src, 100 + src, src + 1)
      call check_message(buf, src, 0, 40, src + 1)
    end do
    do src = 1, nranks - 1
      call out('any_source/any_tag from ' // str(src) // ': tag ' // str(100 + src) // ', ' // &
               str(src + 1) // ' ints')
    end do
  end subroutine check_wildcards

  subroutine check_truncate()
    HANDLE(MPI_Comm) :: comm
    integer :: buf(10), i, rc, error_class
    STATUS_T :: STATUS_VAR(st)
    call MPI_Comm_dup(MPI_COMM_WORLD, comm, ierr); CHK
    call MPI_Comm_set_errhandler(comm, MPI_ERRORS_RETURN, ierr); CHK
    buf = [(i, i = 0, 9)]
    if (rank == 1) then
      call MPI_Send(buf, 10, MPI_INTEGER, 0, 3, comm, ierr); CHK
    end if
    if (rank == 0) then
      rc = MPI_SUCCESS
      call MPI_Recv(buf, 5, MPI_INTEGER, 1, 3, comm, st, rc)
      error_class = MPI_SUCCESS
      call MPI_Error_class(rc, error_class, ierr); CHK
      call check_int(error_class, MPI_ERR_TRUNCATE, 'error class of a truncated receive', __LINE__)
      call out('truncated receive returns MPI_ERR_TRUNCATE')
    end if
    call MPI_Comm_free(comm, ierr); CHK
    call check(comm == MPI_COMM_NULL, 'Comm_free did not null the handle', __LINE__)
  end subroutine check_truncate

  integer function probed_count(st, src, tag)
    STATUS_T, intent(in) :: STATUS_VAR(st)
    integer, intent(in) :: src, tag
    call check_int(STATUS_SOURCE(st), src, 'probe source', __LINE__)
    call check_int(STATUS_TAG(st), tag, 'probe tag', __LINE__)
    probed_count = -1
    call MPI_Get_count(st, MPI_INTEGER, probed_count, ierr); CHK
    call check_int(probed_count, tag * 3, 'probed count', __LINE__)
  end function probed_count

  ! Each rank sends tags 1..4 to the next, which picks them up in reverse order with
  ! Improbe, Mprobe, Iprobe and Probe.
  subroutine check_probes()
    integer :: next, prev, tag, count
    integer :: outgoing(12)
    integer, asynchronous :: buf(12)
    logical :: flag
    HANDLE(MPI_Message) :: message
    HANDLE(MPI_Request) :: request
    STATUS_T :: STATUS_VAR(st)
    next = mod(rank + 1, nranks)
    prev = mod(rank + nranks - 1, nranks)
    do tag = 1, 4
      call fill_message(outgoing, rank, next, 50 + tag, tag * 3)
      call MPI_Send(outgoing, tag * 3, MPI_INTEGER, next, tag, MPI_COMM_WORLD, ierr); CHK
    end do

    flag = .false.
    do while (.not. flag)
      call MPI_Improbe(prev, 4, MPI_COMM_WORLD, flag, message, st, ierr); CHK
    end do
    count = probed_count(st, prev, 4)
    call MPI_Imrecv(buf, count, MPI_INTEGER, message, request, ierr); CHK
    call check(message == MPI_MESSAGE_NULL, 'Imrecv did not reset the message handle', __LINE__)
    call MPI_Wait(request, st, ierr); CHK
    call check_status(st, prev, 4, count)
    call check_message(buf, prev, rank, 54, count)

    call MPI_Mprobe(prev, 3, MPI_COMM_WORLD, message, st, ierr); CHK
    count = probed_count(st, prev, 3)
    call MPI_Mrecv(buf, count, MPI_INTEGER, message, st, ierr); CHK
    call check(message == MPI_MESSAGE_NULL, 'Mrecv did not reset the message handle', __LINE__)
    call check_status(st, prev, 3, count)
    call check_message(buf, prev, rank, 53, count)

    flag = .false.
    do while (.not. flag)
      call MPI_Iprobe(prev, 2, MPI_COMM_WORLD, flag, st, ierr); CHK
    end do
    count = probed_count(st, prev, 2)
    call MPI_Recv(buf, count, MPI_INTEGER, prev, 2, MPI_COMM_WORLD, st, ierr); CHK
    call check_message(buf, prev, rank, 52, count)

    call MPI_Probe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, st, ierr); CHK
    count = probed_count(st, prev, 1)
    call MPI_Recv(buf, count, MPI_INTEGER, prev, 1, MPI_COMM_WORLD, st, ierr); CHK
    call check_message(buf, prev, rank, 51, count)
    call out('probe, iprobe, mprobe/mrecv, improbe/imrecv from ' // str(prev) // ': ok')
  end subroutine check_probes

  subroutine check_cancel()
    integer, asynchronous :: buf(4)
    HANDLE(MPI_Request) :: request
    STATUS_T :: STATUS_VAR(st)
    logical :: cancelled
    call MPI_Irecv(buf, 4, MPI_INTEGER, MPI_ANY_SOURCE, 999, MPI_COMM_WORLD, request, ierr); CHK
    call MPI_Cancel(request, ierr); CHK
    call MPI_Wait(request, st, ierr); CHK
    cancelled = .false.
    call MPI_Test_cancelled(st, cancelled, ierr); CHK
    call check(cancelled, 'cancelled receive is not marked cancelled', __LINE__)
    call check(request == MPI_REQUEST_NULL, 'Wait left a cancelled request active', __LINE__)
    call out('cancel of a receive: cancelled')
  end subroutine check_cancel

  subroutine check_persistent()
    integer, asynchronous :: outgoing(16), incoming(16)
    HANDLE(MPI_Request) :: requests(2)
    STATUS_T :: STATUS_ARRAY(statuses, 2)
    STATUS_T :: STATUS_VAR(st)
    integer :: next, prev, round, i
    next = mod(rank + 1, nranks)
    prev = mod(rank + nranks - 1, nranks)
    call MPI_Recv_init(incoming, 16, MPI_INTEGER, prev, 60, MPI_COMM_WORLD, requests(1), ierr)
    CHK
    call MPI_Send_init(outgoing, 16, MPI_INTEGER, next, 60, MPI_COMM_WORLD, requests(2), ierr)
    CHK
    do round = 0, 3
      do i = 1, 16
        outgoing(i) = value(rank, next, round, i - 1)
      end do
      incoming = -1
      if (mod(round, 2) == 0) then
        call MPI_Startall(2, requests, ierr); CHK
      else
        call MPI_Start(requests(1), ierr); CHK
        call MPI_Start(requests(2), ierr); CHK
      end if
      call MPI_Waitall(2, requests, statuses, ierr); CHK
      call check(requests(1) /= MPI_REQUEST_NULL, 'Waitall freed a persistent request', __LINE__)
      st = STATUS_AT(statuses, 1)
      call check_status(st, prev, 60, 16)
      call check_message(incoming, prev, rank, round, 16)
    end do
    call MPI_Request_free(requests(1), ierr); CHK
    call MPI_Request_free(requests(2), ierr); CHK
    call check(requests(2) == MPI_REQUEST_NULL, 'Request_free did not null the handle', __LINE__)
    call out('persistent send/recv, 4 rounds from ' // str(prev) // ': ok')
  end subroutine check_persistent

  ! Many messages with the same tag and growing sizes must arrive in the order sent.
  subroutine check_order()
    integer, parameter :: MESSAGES = 200
    integer, allocatable, asynchronous :: outgoing(:, :)
    integer :: incoming(MESSAGES)
    HANDLE(MPI_Request) :: requests(MESSAGES)
    STATUS_T :: STATUS_VAR(st)
    integer :: next, prev, m, i, count
    next = mod(rank + 1, nranks)
    prev = mod(rank + nranks - 1, nranks)
    allocate (outgoing(MESSAGES, MESSAGES))
    do m = 1, MESSAGES
      count = mod((m - 1) * 37, MESSAGES) + 1
      do i = 1, count
        outgoing(i, m) = value(rank, m - 1, 0, i - 1)
      end do
      call MPI_Isend(outgoing(:, m), count, MPI_INTEGER, next, 70, MPI_COMM_WORLD, &
                     requests(m), ierr); CHK
    end do
    do m = 1, MESSAGES
      call MPI_Recv(incoming, MESSAGES, MPI_INTEGER, prev, 70, MPI_COMM_WORLD, st, ierr); CHK
      count = mod((m - 1) * 37, MESSAGES) + 1
      call check_status(st, prev, 70, count)
      do i = 1, count
        call check_int(incoming(i), value(prev, m - 1, 0, i - 1), 'ordered message payload', &
                       __LINE__)
      end do
    end do
    call MPI_Waitall(MESSAGES, requests, MPI_STATUSES_IGNORE, ierr); CHK
    call out(str(MESSAGES) // ' same-tag messages from ' // str(prev) // ' arrived in order')
  end subroutine check_order

end program p2p
