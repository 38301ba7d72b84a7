#include "binding.h"

! Collectives on an intercommunicator between world rank 0 and the other ranks, groups of
! different sizes: Alltoallw and Ialltoallw, whose datatype arrays the Fortran entry points
! convert (one element per remote rank), Bcast and Gatherv from each group with MPI_ROOT at
! the root and MPI_PROC_NULL beside it, and Allreduce.
program intercomm_collectives
  MPI_USE
  use ferry_check
  implicit none
  MPI_INCLUDE

  integer, parameter :: MAX_RANKS = 8
  HANDLE(MPI_Comm) :: part, inter
  integer :: group, rank, nlocal, nremote, remote_leader

  call start('intercomm_collectives')
  call check(world_size() <= MAX_RANKS, 'at most 8 ranks supported', __LINE__)
  group = 1
  remote_leader = 0
  if (world_rank() == 0) then
    group = 0
    remote_leader = 1
  end if
  call MPI_Comm_split(MPI_COMM_WORLD, group, world_rank(), part, ierr); CHK
  call MPI_Intercomm_create(part, 0, MPI_COMM_WORLD, remote_leader, 5, inter, ierr); CHK
  call MPI_Comm_rank(inter, rank, ierr); CHK
  call MPI_Comm_size(inter, nlocal, ierr); CHK
  call MPI_Comm_remote_size(inter, nremote, ierr); CHK
  call out('group ' // str(group) // ': rank ' // str(rank) // ' of ' // str(nlocal) // ', remote size ' // &
           str(nremote))
  call run_alltoallw()
  call run_rooted()
  call run_allreduce()
  call MPI_Comm_free(inter, ierr); CHK
  call MPI_Comm_free(part, ierr); CHK
  call finish()

contains

  integer function item(from_group, from, to, k)
    integer, intent(in) :: from_group, from, to, k
    item = from_group * 10000 + from * 1000 + to * 10 + k
  end function item

  subroutine run_alltoallw()
    integer, asynchronous :: sent(3, 0:MAX_RANKS - 1), got(3, 0:MAX_RANKS - 1)
    integer :: scounts(0:MAX_RANKS - 1), rcounts(0:MAX_RANKS - 1), bytes(0:MAX_RANKS - 1)
    HANDLE(MPI_Datatype) :: types(0:MAX_RANKS - 1)
    HANDLE(MPI_Request) :: request
    integer :: r, k, variant
    do r = 0, nremote - 1
      do k = 1, 3
        sent(k, r) = item(group, rank, r, k)
      end do
      scounts(r) = mod(rank + r, 3) + 1
      rcounts(r) = mod(r + rank, 3) + 1
      bytes(r) = 12 * r
      types(r) = MPI_INTEGER
    end do
    do variant = 0, 1
      got = -1
      if (variant == 0) then
        call MPI_Alltoallw(sent, scounts, bytes, types, got, rcounts, bytes, types, inter, ierr); CHK
      else
        call MPI_Ialltoallw(sent, scounts, bytes, types, got, rcounts, bytes, types, inter, request, ierr); CHK
        call MPI_Wait(request, MPI_STATUS_IGNORE, ierr); CHK
      end if
      do r = 0, nremote - 1
        do k = 1, 3
          if (k <= rcounts(r)) then
            call check_int(got(k, r), item(1 - group, r, rank, k), 'alltoallw', __LINE__)
          else
            call check_int(got(k, r), -1, 'alltoallw beyond the count', __LINE__)
          end if
        end do
      end do
    end do
    call out('alltoallw, ialltoallw: ' // str(sum(got(:, 0:nremote - 1))))
  end subroutine run_alltoallw

  ! Rank `root` of group `root_group` is the root of a Bcast and of a Gatherv.
  subroutine run_rooted()
    integer :: buf(4), mine(3), gathered(4, 0:MAX_RANKS - 1), counts(0:MAX_RANKS - 1), displs(0:MAX_RANKS - 1)
    integer :: root_group, root, roots, root_arg, r, k
    do root_group = 0, 1
      roots = nremote
      if (group == root_group) roots = nlocal
      do root = 0, roots - 1
        root_arg = root
        if (group == root_group) then
          root_arg = MPI_PROC_NULL
          if (rank == root) root_arg = MPI_ROOT
        end if
        buf = -1
        if (root_arg == MPI_ROOT) buf = [(item(group, rank, 0, k), k = 1, 4)]
        call MPI_Bcast(buf, 4, MPI_INTEGER, root_arg, inter, ierr); CHK
        mine = [(item(group, rank, 1, k), k = 1, 3)]
        gathered = -1
        do r = 0, nremote - 1
          counts(r) = mod(r, 3) + 1
          displs(r) = 4 * r
        end do
        call MPI_Gatherv(mine, mod(rank, 3) + 1, MPI_INTEGER, gathered, counts, displs, MPI_INTEGER, root_arg, &
                         inter, ierr); CHK
        if (root_arg == MPI_ROOT) then
          do r = 0, nremote - 1
            do k = 1, 4
              if (k <= counts(r)) then
                call check_int(gathered(k, r), item(1 - group, r, 1, k), 'gatherv', __LINE__)
              else
                call check_int(gathered(k, r), -1, 'gatherv beyond the count', __LINE__)
              end if
            end do
          end do
          call out('root ' // str(root_group) // '.' // str(root) // ': gathered ' // &
                   str(sum(gathered(:, 0:nremote - 1))))
        else if (root_arg == MPI_PROC_NULL) then
          call check(all(buf == -1), 'nothing arrives beside the root', __LINE__)
        else
          do k = 1, 4
            call check_int(buf(k), item(root_group, root, 0, k), 'bcast', __LINE__)
          end do
          call out('root ' // str(root_group) // '.' // str(root) // ': bcast ' // str(sum(buf)))
        end if
      end do
    end do
  end subroutine run_rooted

  subroutine run_allreduce()
    integer :: mine(2), total(2), r, expected
    mine = [rank + 1, 100 * group]
    call MPI_Allreduce(mine, total, 2, MPI_INTEGER, MPI_SUM, inter, ierr); CHK
    expected = 0
    do r = 0, nremote - 1
      expected = expected + r + 1
    end do
    call check_int(total(1), expected, 'allreduce of the remote group', __LINE__)
    call check_int(total(2), 100 * (1 - group) * nremote, 'allreduce of the remote group', __LINE__)
    call out('allreduce: ' // str(total(1)) // ' ' // str(total(2)))
  end subroutine run_allreduce

end program intercomm_collectives
