#include "binding.h"

! Data-moving collectives on MPI_COMM_WORLD and on a rank-reversed communicator: Barrier,
! Bcast (also of CHARACTER, LOGICAL and DOUBLE COMPLEX data), Gather(v), Scatter(v) from
! every root, Allgather(v), Alltoall, Alltoallv and Alltoallw, with MPI_IN_PLACE where
! allowed. The reductions are in reductions.F90.
program collectives
  MPI_USE
  use ferry_check
  implicit none
  MPI_INCLUDE

  integer, parameter :: MAX_RANKS = 8
  HANDLE(MPI_Comm) :: reversed

  call start('collectives')
  call check(world_size() <= MAX_RANKS, 'at most 8 ranks supported', __LINE__)
  call run_all(MPI_COMM_WORLD, 'MPI_COMM_WORLD')
  call MPI_Comm_split(MPI_COMM_WORLD, 0, world_size() - world_rank(), reversed, ierr); CHK
  call run_all(reversed, 'rank-reversed split')
  call MPI_Comm_free(reversed, ierr); CHK
  call finish()

contains

  subroutine run_bcast(comm, rank, nranks)
    HANDLE(MPI_Comm), intent(in) :: comm
    integer, intent(in) :: rank, nranks
    integer, parameter :: BIG = 100000
    integer, allocatable :: buf(:)
    integer :: root, count, i
    allocate (buf(BIG))
    do root = 0, nranks - 1
      count = 8
      if (root == 1) count = BIG
      do i = 1, BIG
        buf(i) = -1
        if (rank == root) buf(i) = root * 7 + i
      end do
      call MPI_Bcast(buf, count, MPI_INTEGER, root, comm, ierr); CHK
      do i = 1, count
        call check_int(buf(i), root * 7 + i, 'bcast', __LINE__)
      end do
      if (count < BIG) call check_int(buf(count + 1), merge(root * 7 + count + 1, -1, &
                                      rank == root), 'bcast beyond the count', __LINE__)
    end do
    call MPI_Barrier(comm, ierr); CHK
    if (rank == 0) call out('barrier, bcast from every root: ok')
  end subroutine run_bcast

  subroutine run_bcast_types(comm, rank, nranks)
    HANDLE(MPI_Comm), intent(in) :: comm
    integer, intent(in) :: rank, nranks
    character(len=24) :: text
    logical :: flags(5)
    double complex :: values(3)
    integer :: root
    root = nranks - 1
    text = ''
    flags = .false.
    values = (0d0, 0d0)
    if (rank == root) then
      text = 'sent from the last rank'
      flags = [.true., .false., .true., .true., .false.]
      values = [(1.5d0, -2d0), (0d0, 0.25d0), (-3d0, 4d0)]
    end if
    call MPI_Bcast(text, len(text), MPI_CHARACTER, root, comm, ierr); CHK
    call MPI_Bcast(flags, 5, MPI_LOGICAL, root, comm, ierr); CHK
    call MPI_Bcast(values, 3, MPI_DOUBLE_COMPLEX, root, comm, ierr); CHK
    call check(text == 'sent from the last rank', 'bcast of CHARACTER: ' // trim(text), __LINE__)
    call check(all(flags .eqv. [.true., .false., .true., .true., .false.]), 'bcast of LOGICAL', &
               __LINE__)
    call check(all(near(values, [(1.5d0, -2d0), (0d0, 0.25d0), (-3d0, 4d0)])), &
               'bcast of DOUBLE COMPLEX', __LINE__)
    if (rank == 0) call out('bcast of character, logical, double complex: "' // trim(text) // &
                            '", ' // str(count(flags)) // ' true, imaginary sum ' // &
                            str(nint(sum(aimag(values)) * 4)) // '/4')
  end subroutine run_bcast_types

  integer function item(rank, slot)
    integer, intent(in) :: rank, slot
    item = rank * 100 + slot
  end function item

  subroutine expect_items(all_items, counts, nranks, what)
    integer, intent(in) :: all_items(2, 0:MAX_RANKS - 1), counts(0:MAX_RANKS - 1), nranks
    character(len=*), intent(in) :: what
    integer :: r, k
    do r = 0, nranks - 1
      do k = 1, counts(r)
        call check_int(all_items(k, r), item(r, k), what, __LINE__)
      end do
    end do
  end subroutine expect_items

  subroutine reset_items(all_items, rank, keep_all)
    integer, intent(out) :: all_items(2, 0:MAX_RANKS - 1)
    integer, intent(in) :: rank
    logical, intent(in) :: keep_all
    integer :: r, k
    do r = 0, MAX_RANKS - 1
      do k = 1, 2
        all_items(k, r) = -1
        if (keep_all .or. r == rank) all_items(k, r) = item(r, k)
      end do
    end do
  end subroutine reset_items

  subroutine run_gather_scatter(comm, rank, nranks)
    HANDLE(MPI_Comm), intent(in) :: comm
    integer, intent(in) :: rank, nranks
    integer :: mine(2), all_items(2, 0:MAX_RANKS - 1), got(2)
    integer :: counts(0:MAX_RANKS - 1), displs(0:MAX_RANKS - 1), twos(0:MAX_RANKS - 1)
    integer :: root, r, k
    logical :: in_place
    mine = [item(rank, 1), item(rank, 2)]
    do r = 0, MAX_RANKS - 1
      counts(r) = mod(r, 2) + 1
      displs(r) = 2 * r
      twos(r) = 2
    end do
    do root = 0, nranks - 1
      in_place = rank == root .and. mod(root, 2) == 0
      call reset_items(all_items, rank, rank == root)
      if (in_place) then
        call MPI_Gather(MPI_IN_PLACE, 2, MPI_INTEGER, all_items, 2, MPI_INTEGER, root, comm, ierr)
      else
        call MPI_Gather(mine, 2, MPI_INTEGER, all_items, 2, MPI_INTEGER, root, comm, ierr)
      end if
      CHK
      if (rank == root) call expect_items(all_items, twos, nranks, 'gather')
      call reset_items(all_items, rank, rank == root)
      if (in_place) then
        call MPI_Gatherv(MPI_IN_PLACE, counts(rank), MPI_INTEGER, all_items, counts, displs, &
                         MPI_INTEGER, root, comm, ierr)
      else
        call MPI_Gatherv(mine, counts(rank), MPI_INTEGER, all_items, counts, displs, &
                         MPI_INTEGER, root, comm, ierr)
      end if
      CHK
      if (rank == root) call expect_items(all_items, counts, nranks, 'gatherv')
      call reset_items(all_items, rank, rank == root)
      got = -1
      if (in_place) then
        call MPI_Scatter(all_items, 2, MPI_INTEGER, MPI_IN_PLACE, 2, MPI_INTEGER, root, comm, ierr)
      else
        call MPI_Scatter(all_items, 2, MPI_INTEGER, got, 2, MPI_INTEGER, root, comm, ierr)
      end if
      CHK
      if (.not. in_place) call check(all(got == mine), 'scatter', __LINE__)
      got = -1
      if (in_place) then
        call MPI_Scatterv(all_items, counts, displs, MPI_INTEGER, MPI_IN_PLACE, counts(rank), &
                          MPI_INTEGER, root, comm, ierr)
      else
        call MPI_Scatterv(all_items, counts, displs, MPI_INTEGER, got, counts(rank), &
                          MPI_INTEGER, root, comm, ierr)
      end if
      CHK
      if (.not. in_place) then
        do k = 1, 2
          if (k <= counts(rank)) then
            call check_int(got(k), item(rank, k), 'scatterv', __LINE__)
          else
            call check_int(got(k), -1, 'scatterv beyond the count', __LINE__)
          end if
        end do
      end if
    end do
    if (rank == 0) call out('gather, gatherv, scatter, scatterv from every root: ok')
  end subroutine run_gather_scatter

  subroutine run_allgather(comm, rank, nranks)
    HANDLE(MPI_Comm), intent(in) :: comm
    integer, intent(in) :: rank, nranks
    integer :: mine(2), all_items(2, 0:MAX_RANKS - 1)
    integer :: counts(0:MAX_RANKS - 1), displs(0:MAX_RANKS - 1), twos(0:MAX_RANKS - 1), r
    logical :: in_place
    integer :: pass
    mine = [item(rank, 1), item(rank, 2)]
    do r = 0, MAX_RANKS - 1
      counts(r) = 2 - mod(r, 2)
      displs(r) = 2 * r
      twos(r) = 2
    end do
    do pass = 0, 1
      in_place = pass == 1
      call reset_items(all_items, rank, .false.)
      if (in_place) then
        call MPI_Allgather(MPI_IN_PLACE, 2, MPI_INTEGER, all_items, 2, MPI_INTEGER, comm, ierr)
      else
        call MPI_Allgather(mine, 2, MPI_INTEGER, all_items, 2, MPI_INTEGER, comm, ierr)
      end if
      CHK
      call expect_items(all_items, twos, nranks, 'allgather')
      call reset_items(all_items, rank, .false.)
      if (in_place) then
        call MPI_Allgatherv(MPI_IN_PLACE, counts(rank), MPI_INTEGER, all_items, counts, displs, &
                            MPI_INTEGER, comm, ierr)
      else
        call MPI_Allgatherv(mine, counts(rank), MPI_INTEGER, all_items, counts, displs, &
                            MPI_INTEGER, comm, ierr)
      end if
      CHK
      call expect_items(all_items, counts, nranks, 'allgatherv')
    end do
    if (rank == 0) call out('allgather, allgatherv, with and without in-place: ok')
  end subroutine run_allgather

  integer function pair_item(from, to, k)
    integer, intent(in) :: from, to, k
    pair_item = from * 1000 + to * 10 + k
  end function pair_item

  subroutine run_alltoall(comm, rank, nranks)
    HANDLE(MPI_Comm), intent(in) :: comm
    integer, intent(in) :: rank, nranks
    integer :: sent(3, 0:MAX_RANKS - 1), got(3, 0:MAX_RANKS - 1)
    integer, dimension(0:MAX_RANKS - 1) :: scounts, sdispls, rcounts, rdispls, sbytes, rbytes
    HANDLE(MPI_Datatype) :: types(0:MAX_RANKS - 1)
    integer :: r, k, variant
    sent = 0
    do r = 0, nranks - 1
      do k = 1, 3
        sent(k, r) = pair_item(rank, r, k)
      end do
      scounts(r) = mod(rank + r, 3) + 1
      rcounts(r) = mod(r + rank, 3) + 1
      sdispls(r) = 3 * r
      rdispls(r) = 3 * r
      sbytes(r) = 12 * r
      rbytes(r) = 12 * r
      types(r) = MPI_INTEGER
    end do
    got = -1
    call MPI_Alltoall(sent, 3, MPI_INTEGER, got, 3, MPI_INTEGER, comm, ierr); CHK
    do r = 0, nranks - 1
      do k = 1, 3
        call check_int(got(k, r), pair_item(r, rank, k), 'alltoall', __LINE__)
      end do
    end do
    got = sent
    call MPI_Alltoall(MPI_IN_PLACE, 3, MPI_INTEGER, got, 3, MPI_INTEGER, comm, ierr); CHK
    do r = 0, nranks - 1
      do k = 1, 3
        call check_int(got(k, r), pair_item(r, rank, k), 'in-place alltoall', __LINE__)
      end do
    end do
    do variant = 0, 1
      got = -1
      if (variant == 0) then
        call MPI_Alltoallv(sent, scounts, sdispls, MPI_INTEGER, got, rcounts, rdispls, &
                           MPI_INTEGER, comm, ierr); CHK
      else
        call MPI_Alltoallw(sent, scounts, sbytes, types, got, rcounts, rbytes, types, comm, &
                           ierr); CHK
      end if
      do r = 0, nranks - 1
        do k = 1, 3
          if (k <= rcounts(r)) then
            call check_int(got(k, r), pair_item(r, rank, k), 'alltoallv/w', __LINE__)
          else
            call check_int(got(k, r), -1, 'alltoallv/w beyond the count', __LINE__)
          end if
        end do
      end do
    end do
    if (rank == 0) call out('alltoall (also in-place), alltoallv, alltoallw: ok')
  end subroutine run_alltoall

  subroutine run_all(comm, label)
    HANDLE(MPI_Comm), intent(in) :: comm
    character(len=*), intent(in) :: label
    integer :: rank, nranks
    call MPI_Comm_rank(comm, rank, ierr); CHK
    call MPI_Comm_size(comm, nranks, ierr); CHK
    if (rank == 0) call out('-- ' // label // ', size ' // str(nranks))
    call run_bcast(comm, rank, nranks)
    call run_bcast_types(comm, rank, nranks)
    call run_gather_scatter(comm, rank, nranks)
    call run_allgather(comm, rank, nranks)
    call run_alltoall(comm, rank, nranks)
    call out_flush()
  end subroutine run_all

end program collectives
