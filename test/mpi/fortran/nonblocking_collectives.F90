#include "binding.h"

! Nonblocking collectives: many outstanding at once on several communicators, mixed with
! point-to-point, completed in an order different from the one they were started in.
program nonblocking_collectives
  MPI_USE
  use ferry_check
  implicit none
  MPI_INCLUDE

  integer, parameter :: MAX_RANKS = 8, MAX_REQUESTS = 32, N = 4, COMPLETIONS = 4

  ! Buffers of one round; each operation has its own so all can be in flight together.
  type round_buffers
    integer :: root
    integer :: bcast(N), dup_bcast(N)
    integer :: reduce_in(N), reduce_out(N), allreduce_out(N), dup_allreduce_out(N)
    integer :: scan_out(N), exscan_out(N)
    integer :: gather_out(0:MAX_RANKS - 1), gatherv_out(0:2 * MAX_RANKS - 1)
    integer :: scatter_in(0:MAX_RANKS - 1), scatter_out
    integer :: scatterv_in(0:2 * MAX_RANKS - 1), scatterv_out(2)
    integer :: allgather_out(0:MAX_RANKS - 1), reversed_allgather_out(0:MAX_RANKS - 1)
    integer :: allgatherv_out(0:2 * MAX_RANKS - 1)
    integer :: alltoall_in(0:MAX_RANKS - 1), alltoall_out(0:MAX_RANKS - 1)
    integer :: alltoallv_in(0:2 * MAX_RANKS - 1), alltoallv_out(0:2 * MAX_RANKS - 1)
    integer :: alltoallw_in(0:MAX_RANKS - 1), alltoallw_out(0:MAX_RANKS - 1)
    integer :: reduce_scatter_in(0:MAX_RANKS - 1), reduce_scatter_out
    integer :: counts(0:MAX_RANKS - 1), displs(0:MAX_RANKS - 1), pair_counts(0:MAX_RANKS - 1)
    integer :: ones(0:MAX_RANKS - 1), byte_displs(0:MAX_RANKS - 1)
    HANDLE(MPI_Datatype) :: types(0:MAX_RANKS - 1)
    integer :: ring_in, ring_out
    HANDLE(MPI_Request) :: requests(MAX_REQUESTS)
    integer :: request_count
  end type round_buffers

  character(len=15), parameter :: completion_names(0:COMPLETIONS - 1) = &
    [character(len=15) :: 'wait in reverse', 'waitall rotated', 'testany', 'testall']
  type(round_buffers), asynchronous :: r
  HANDLE(MPI_Comm) :: dup_world, reversed
  integer :: rank, nranks, round

  call start('nonblocking_collectives')
  rank = world_rank()
  nranks = world_size()
  call check(nranks <= MAX_RANKS, 'at most 8 ranks supported', __LINE__)
  call MPI_Comm_dup(MPI_COMM_WORLD, dup_world, ierr); CHK
  call MPI_Comm_split(MPI_COMM_WORLD, 0, nranks - rank, reversed, ierr); CHK
  if (rank == 0) call out('world size ' // str(nranks))
  do round = 0, 2 * nranks
    call run_round(round)
  end do
  call MPI_Comm_free(dup_world, ierr); CHK
  call MPI_Comm_free(reversed, ierr); CHK
  call out('all rounds verified on this rank')
  call finish()

contains

  integer function value(of_rank, round, k)
    integer, intent(in) :: of_rank, round, k
    value = of_rank * 1000 + round * 10 + k
  end function value

  integer function next_request()
    call check(r%request_count < MAX_REQUESTS, 'too many requests', __LINE__)
    r%request_count = r%request_count + 1
    next_request = r%request_count
  end function next_request

  subroutine prepare(round)
    integer, intent(in) :: round
    integer :: k, p
    r%root = mod(round, nranks)
    r%requests = MPI_REQUEST_NULL
    r%request_count = 0
    do k = 1, N
      r%bcast(k) = merge(value(r%root, round, k - 1), -1, rank == r%root)
      r%dup_bcast(k) = merge(value(r%root + 1, round, k - 1), -1, rank == mod(r%root + 1, nranks))
      r%reduce_in(k) = value(rank, round, k - 1)
    end do
    r%reduce_out = -1
    r%allreduce_out = -1
    r%dup_allreduce_out = -1
    r%scan_out = -1
    r%exscan_out = -1
    r%gather_out = -1
    r%gatherv_out = -1
    r%scatter_out = -1
    r%scatterv_out = -1
    r%allgather_out = -1
    r%reversed_allgather_out = -1
    r%allgatherv_out = -1
    r%alltoall_out = -1
    r%alltoallv_out = -1
    r%alltoallw_out = -1
    r%reduce_scatter_out = -1
    r%ring_in = -1
    do p = 0, nranks - 1
      r%counts(p) = mod(p, 2) + 1
      r%displs(p) = 2 * p
      r%pair_counts(p) = mod(rank + p, 2) + 1
      r%ones(p) = 1
      r%byte_displs(p) = 4 * p
      r%types(p) = MPI_INTEGER
      r%scatter_in(p) = value(p, round, 0)
      r%scatterv_in(2 * p) = value(p, round, 0)
      r%scatterv_in(2 * p + 1) = value(p, round, 1)
      r%alltoall_in(p) = value(rank, round, p)
      r%alltoallv_in(2 * p) = value(rank, round, p)
      r%alltoallv_in(2 * p + 1) = value(rank, round, p + 1)
      r%alltoallw_in(p) = value(rank, round, p + 20)
      r%reduce_scatter_in(p) = value(rank, round, p + 40)
    end do
    r%ring_out = value(rank, round, 9)
  end subroutine prepare

  subroutine start_rooted()
    integer :: root
    root = r%root
    call MPI_Ibcast(r%bcast, N, MPI_INTEGER, root, MPI_COMM_WORLD, r%requests(next_request()), &
                    ierr); CHK
    call MPI_Ireduce(r%reduce_in, r%reduce_out, N, MPI_INTEGER, MPI_SUM, root, MPI_COMM_WORLD, &
                     r%requests(next_request()), ierr); CHK
    call MPI_Igather(r%reduce_in, 1, MPI_INTEGER, r%gather_out, 1, MPI_INTEGER, root, &
                     MPI_COMM_WORLD, r%requests(next_request()), ierr); CHK
    call MPI_Igatherv(r%reduce_in, r%counts(rank), MPI_INTEGER, r%gatherv_out, r%counts, &
                      r%displs, MPI_INTEGER, root, MPI_COMM_WORLD, r%requests(next_request()), &
                      ierr); CHK
    call MPI_Iscatter(r%scatter_in, 1, MPI_INTEGER, r%scatter_out, 1, MPI_INTEGER, root, &
                      MPI_COMM_WORLD, r%requests(next_request()), ierr); CHK
    call MPI_Iscatterv(r%scatterv_in, r%counts, r%displs, MPI_INTEGER, r%scatterv_out, &
                       r%counts(rank), MPI_INTEGER, root, MPI_COMM_WORLD, &
                       r%requests(next_request()), ierr); CHK
  end subroutine start_rooted

  subroutine start_unrooted()
    integer :: next, prev
    next = mod(rank + 1, nranks)
    prev = mod(rank + nranks - 1, nranks)
    call MPI_Irecv(r%ring_in, 1, MPI_INTEGER, prev, 5, MPI_COMM_WORLD, &
                   r%requests(next_request()), ierr); CHK
    call MPI_Ibarrier(MPI_COMM_WORLD, r%requests(next_request()), ierr); CHK
    call MPI_Iallreduce(r%reduce_in, r%allreduce_out, N, MPI_INTEGER, MPI_MAX, MPI_COMM_WORLD, &
                        r%requests(next_request()), ierr); CHK
    call MPI_Iallreduce(r%reduce_in, r%dup_allreduce_out, N, MPI_INTEGER, MPI_SUM, dup_world, &
                        r%requests(next_request()), ierr); CHK
    call MPI_Ibcast(r%dup_bcast, N, MPI_INTEGER, mod(r%root + 1, nranks), dup_world, &
                    r%requests(next_request()), ierr); CHK
    call MPI_Isend(r%ring_out, 1, MPI_INTEGER, next, 5, MPI_COMM_WORLD, &
                   r%requests(next_request()), ierr); CHK
    call MPI_Iallgather(r%reduce_in, 1, MPI_INTEGER, r%allgather_out, 1, MPI_INTEGER, &
                        MPI_COMM_WORLD, r%requests(next_request()), ierr); CHK
    call MPI_Iallgather(r%reduce_in, 1, MPI_INTEGER, r%reversed_allgather_out, 1, MPI_INTEGER, &
                        reversed, r%requests(next_request()), ierr); CHK
    call MPI_Iallgatherv(r%reduce_in, r%counts(rank), MPI_INTEGER, r%allgatherv_out, r%counts, &
                         r%displs, MPI_INTEGER, MPI_COMM_WORLD, r%requests(next_request()), &
                         ierr); CHK
    call MPI_Ialltoall(r%alltoall_in, 1, MPI_INTEGER, r%alltoall_out, 1, MPI_INTEGER, &
                       MPI_COMM_WORLD, r%requests(next_request()), ierr); CHK
    call MPI_Ialltoallv(r%alltoallv_in, r%pair_counts, r%displs, MPI_INTEGER, r%alltoallv_out, &
                        r%pair_counts, r%displs, MPI_INTEGER, dup_world, &
                        r%requests(next_request()), ierr); CHK
    call MPI_Ialltoallw(r%alltoallw_in, r%ones, r%byte_displs, r%types, r%alltoallw_out, &
                        r%ones, r%byte_displs, r%types, MPI_COMM_WORLD, &
                        r%requests(next_request()), ierr); CHK
    call MPI_Iscan(r%reduce_in, r%scan_out, N, MPI_INTEGER, MPI_SUM, MPI_COMM_WORLD, &
                   r%requests(next_request()), ierr); CHK
    call MPI_Iexscan(r%reduce_in, r%exscan_out, N, MPI_INTEGER, MPI_SUM, reversed, &
                     r%requests(next_request()), ierr); CHK
    call MPI_Ireduce_scatter_block(r%reduce_scatter_in, r%reduce_scatter_out, 1, MPI_INTEGER, &
                                   MPI_SUM, dup_world, r%requests(next_request()), ierr); CHK
  end subroutine start_unrooted

  subroutine verify_rooted(round)
    integer, intent(in) :: round
    integer :: k, p, total
    do k = 1, N
      call check_int(r%bcast(k), value(r%root, round, k - 1), 'ibcast', __LINE__)
    end do
    call check_int(r%scatter_out, value(rank, round, 0), 'iscatter', __LINE__)
    do k = 1, r%counts(rank)
      call check_int(r%scatterv_out(k), value(rank, round, k - 1), 'iscatterv', __LINE__)
    end do
    if (rank /= r%root) return
    do k = 1, N
      total = 0
      do p = 0, nranks - 1
        total = total + value(p, round, k - 1)
      end do
      call check_int(r%reduce_out(k), total, 'ireduce', __LINE__)
    end do
    do p = 0, nranks - 1
      call check_int(r%gather_out(p), value(p, round, 0), 'igather', __LINE__)
      do k = 0, r%counts(p) - 1
        call check_int(r%gatherv_out(2 * p + k), value(p, round, k), 'igatherv', __LINE__)
      end do
    end do
  end subroutine verify_rooted

  subroutine verify_unrooted(round)
    integer, intent(in) :: round
    integer :: k, p, total, below, above
    call check_int(r%ring_in, value(mod(rank + nranks - 1, nranks), round, 9), 'overlapped p2p', &
                   __LINE__)
    do k = 1, N
      total = 0
      below = 0
      above = 0
      do p = 0, nranks - 1
        total = total + value(p, round, k - 1)
        if (p <= rank) below = below + value(p, round, k - 1)
        if (p > rank) above = above + value(p, round, k - 1)
      end do
      call check_int(r%allreduce_out(k), value(nranks - 1, round, k - 1), 'iallreduce max', &
                     __LINE__)
      call check_int(r%dup_allreduce_out(k), total, 'iallreduce sum on a dup', __LINE__)
      call check_int(r%dup_bcast(k), value(r%root + 1, round, k - 1), 'ibcast on a dup', __LINE__)
      call check_int(r%scan_out(k), below, 'iscan', __LINE__)
      if (rank < nranks - 1) call check_int(r%exscan_out(k), above, 'iexscan on a reversed comm', &
                                            __LINE__)
    end do
    total = 0
    do p = 0, nranks - 1
      total = total + value(p, round, rank + 40)
      call check_int(r%allgather_out(p), value(p, round, 0), 'iallgather', __LINE__)
      call check_int(r%reversed_allgather_out(p), value(nranks - 1 - p, round, 0), &
                     'iallgather on a reversed comm', __LINE__)
      call check_int(r%alltoall_out(p), value(p, round, rank), 'ialltoall', __LINE__)
      call check_int(r%alltoallw_out(p), value(p, round, rank + 20), 'ialltoallw', __LINE__)
      do k = 0, r%counts(p) - 1
        call check_int(r%allgatherv_out(2 * p + k), value(p, round, k), 'iallgatherv', __LINE__)
      end do
      do k = 0, r%pair_counts(p) - 1
        call check_int(r%alltoallv_out(2 * p + k), value(p, round, rank + k), 'ialltoallv', &
                       __LINE__)
      end do
    end do
    call check_int(r%reduce_scatter_out, total, 'ireduce_scatter_block on a dup', __LINE__)
  end subroutine verify_unrooted

  subroutine complete(how)
    integer, intent(in) :: how
    HANDLE(MPI_Request) :: rotated(MAX_REQUESTS + 1)
    integer :: n_requests, i, done, index
    logical :: flag
    n_requests = r%request_count
    select case (how)
    case (0)
      do i = n_requests, 1, -1
        call MPI_Wait(r%requests(i), MPI_STATUS_IGNORE, ierr); CHK
      end do
    case (1)
      do i = 1, n_requests
        rotated(i) = r%requests(mod(i - 1 + n_requests / 2, n_requests) + 1)
      end do
      rotated(n_requests + 1) = MPI_REQUEST_NULL
      call MPI_Waitall(n_requests + 1, rotated, MPI_STATUSES_IGNORE, ierr); CHK
    case (2)
      done = 0
      do while (done < n_requests)
        index = MPI_UNDEFINED
        flag = .false.
        call MPI_Testany(n_requests, r%requests, index, flag, MPI_STATUS_IGNORE, ierr); CHK
        if (flag) then
          call check(index /= MPI_UNDEFINED, 'Testany reported no active request too early', &
                     __LINE__)
          done = done + 1
        end if
      end do
    case default
      flag = .false.
      do while (.not. flag)
        call MPI_Testall(n_requests, r%requests, flag, MPI_STATUSES_IGNORE, ierr); CHK
      end do
    end select
  end subroutine complete

  subroutine run_round(round)
    integer, intent(in) :: round
    call prepare(round)
    call start_rooted()
    call start_unrooted()
    call complete(mod(round, COMPLETIONS))
    call verify_rooted(round)
    call verify_unrooted(round)
    if (rank == 0) call out('round ' // str(round) // ', root ' // str(r%root) // ', ' // &
                            str(r%request_count) // ' requests, ' // &
                            trim(completion_names(mod(round, COMPLETIONS))) // ': ok')
  end subroutine run_round

end program nonblocking_collectives
