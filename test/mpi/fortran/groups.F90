#include "binding.h"

! Groups: set operations, rank translation and comparison; empty results and predefined
! groups; subsets (ranges as Fortran triplets among them) turned into communicators with
! MPI_Comm_create and MPI_Comm_create_group.
program groups
  MPI_USE
  use ferry_check
  implicit none
  MPI_INCLUDE

  integer, parameter :: MAX_RANKS = 8
  integer :: rank, nranks, i

  call start('groups')
  rank = world_rank()
  nranks = world_size()
  call check(nranks <= MAX_RANKS, 'at most 8 ranks supported', __LINE__)
  call check_operations()
  do i = 1, 3
    call empty_results()
  end do
  call random_subsets(100)
  call finish()

contains

  function comparison(result) result(name)
    integer, intent(in) :: result
    character(len=:), allocatable :: name
    if (result == MPI_IDENT) then
      name = 'ident'
    else if (result == MPI_CONGRUENT) then
      name = 'congruent'
    else if (result == MPI_SIMILAR) then
      name = 'similar'
    else if (result == MPI_UNEQUAL) then
      name = 'unequal'
    else
      name = '?'
    end if
  end function comparison

  subroutine check_operations()
    HANDLE(MPI_Group) :: world_group, evens, odds, joined, common, rest, reordered
    integer :: group_size, group_rank, odd_count, my_even_rank, i
    integer :: even_range(3, 1), odd_ranks(MAX_RANKS), translated(MAX_RANKS), backwards(MAX_RANKS)
    integer :: union_vs_world, common_vs_evens, rest_vs_evens, evens_vs_odds, reordered_vs_world
    call MPI_Comm_group(MPI_COMM_WORLD, world_group, ierr); CHK
    call MPI_Group_size(world_group, group_size, ierr); CHK
    call MPI_Group_rank(world_group, group_rank, ierr); CHK
    call check_int(group_size, nranks, 'world group size', __LINE__)
    call check_int(group_rank, rank, 'world group rank', __LINE__)
    even_range(:, 1) = [0, nranks - 1, 2]
    call MPI_Group_range_incl(world_group, 1, even_range, evens, ierr); CHK
    call MPI_Group_difference(world_group, evens, odds, ierr); CHK
    call MPI_Group_union(evens, odds, joined, ierr); CHK
    call MPI_Group_intersection(world_group, evens, common, ierr); CHK
    call MPI_Group_difference(joined, odds, rest, ierr); CHK
    call MPI_Group_size(odds, odd_count, ierr); CHK
    call check_int(odd_count, nranks / 2, 'odd group size', __LINE__)
    do i = 1, odd_count
      odd_ranks(i) = i - 1
    end do
    translated = -1
    call MPI_Group_translate_ranks(odds, odd_count, odd_ranks, world_group, translated, ierr); CHK
    do i = 1, odd_count
      call check_int(translated(i), 2 * i - 1, 'translate_ranks', __LINE__)
    end do
    call MPI_Group_compare(joined, world_group, union_vs_world, ierr); CHK
    call MPI_Group_compare(common, evens, common_vs_evens, ierr); CHK
    call MPI_Group_compare(rest, evens, rest_vs_evens, ierr); CHK
    call MPI_Group_compare(evens, odds, evens_vs_odds, ierr); CHK
    if (nranks > 2) then
      call check_int(union_vs_world, MPI_SIMILAR, 'union of evens and odds', __LINE__)
    else
      call check_int(union_vs_world, MPI_IDENT, 'union of evens and odds', __LINE__)
    end if
    call check_int(common_vs_evens, MPI_IDENT, 'intersection with evens', __LINE__)
    call check_int(rest_vs_evens, MPI_IDENT, 'union minus odds', __LINE__)
    call check_int(evens_vs_odds, MPI_UNEQUAL, 'evens and odds', __LINE__)
    call MPI_Group_rank(evens, my_even_rank, ierr); CHK
    if (mod(rank, 2) == 1) then
      call check_int(my_even_rank, MPI_UNDEFINED, 'even rank of an odd rank', __LINE__)
    else
      call check_int(my_even_rank, rank / 2, 'even rank', __LINE__)
    end if
    do i = 1, nranks
      backwards(i) = nranks - i
    end do
    call MPI_Group_incl(world_group, nranks, backwards, reordered, ierr); CHK
    call MPI_Group_compare(reordered, world_group, reordered_vs_world, ierr); CHK
    call check_int(reordered_vs_world, MPI_SIMILAR, 'reversed world group', __LINE__)
    call MPI_Group_rank(reordered, group_rank, ierr); CHK
    call check_int(group_rank, nranks - 1 - rank, 'rank in the reversed world group', __LINE__)
    if (rank == 0) call out('groups: odds ' // str(odd_count) // &
                            ' translated to world from 1 by 2, union ' // &
                            comparison(union_vs_world) // ', intersection ' // &
                            comparison(common_vs_evens) // ', difference ' // &
                            comparison(rest_vs_evens) // ', evens vs odds ' // &
                            comparison(evens_vs_odds) // ', reversed ' // &
                            comparison(reordered_vs_world))
    call MPI_Group_free(world_group, ierr); CHK
    call MPI_Group_free(evens, ierr); CHK
    call MPI_Group_free(odds, ierr); CHK
    call MPI_Group_free(joined, ierr); CHK
    call MPI_Group_free(common, ierr); CHK
    call MPI_Group_free(rest, ierr); CHK
    call MPI_Group_free(reordered, ierr); CHK
    call check(world_group == MPI_GROUP_NULL, 'Group_free did not null the handle', __LINE__)
  end subroutine check_operations

  ! A group that may be MPI_GROUP_EMPTY: its size, and how it compares to MPI_GROUP_EMPTY.
  subroutine describe(what, group)
    character(len=*), intent(in) :: what
    HANDLE(MPI_Group), intent(in) :: group
    integer :: group_size, group_rank, result
    character(len=:), allocatable :: defined
    call MPI_Group_size(group, group_size, ierr); CHK
    call MPI_Group_rank(group, group_rank, ierr); CHK
    call MPI_Group_compare(group, MPI_GROUP_EMPTY, result, ierr); CHK
    defined = 'defined'
    if (group_rank == MPI_UNDEFINED) defined = 'undefined'
    call out(what // ': size ' // str(group_size) // ', rank ' // defined // &
             ', against MPI_GROUP_EMPTY ' // comparison(result))
  end subroutine describe

  subroutine empty_results()
    HANDLE(MPI_Group) :: world, self, group, others
    integer :: none(1), everyone(MAX_RANKS), me(1), no_ranges(3, 1), all_ranges(3, 1), result, i
    call MPI_Comm_group(MPI_COMM_WORLD, world, ierr); CHK
    call MPI_Comm_group(MPI_COMM_SELF, self, ierr); CHK

    none = -1
    call MPI_Group_incl(world, 0, none, group, ierr); CHK
    call describe('incl of none', group)
    call MPI_Group_free(group, ierr); CHK
    call check(group == MPI_GROUP_NULL, 'freed group is not MPI_GROUP_NULL', __LINE__)

    do i = 1, nranks
      everyone(i) = i - 1
    end do
    call MPI_Group_excl(world, nranks, everyone, group, ierr); CHK
    call describe('excl of all', group)
    call MPI_Group_free(group, ierr); CHK

    no_ranges(:, 1) = [0, 0, 1]
    call MPI_Group_range_incl(world, 0, no_ranges, group, ierr); CHK
    call describe('range_incl of no ranges', group)
    call MPI_Group_free(group, ierr); CHK

    all_ranges(:, 1) = [0, nranks - 1, 1]
    call MPI_Group_range_excl(world, 1, all_ranges, group, ierr); CHK
    call describe('range_excl of everything', group)
    call MPI_Group_free(group, ierr); CHK

    call MPI_Group_difference(world, world, group, ierr); CHK
    call describe('world minus world', group)
    call MPI_Group_free(group, ierr); CHK

    me(1) = rank
    call MPI_Group_excl(world, 1, me, others, ierr); CHK
    call MPI_Group_intersection(others, self, group, ierr); CHK
    call describe('others and self', group)
    call MPI_Group_free(group, ierr); CHK
    call MPI_Group_union(others, self, group, ierr); CHK
    call MPI_Group_compare(group, world, result, ierr); CHK
    call out('others with self against world: ' // comparison(result))
    call MPI_Group_free(group, ierr); CHK
    call MPI_Group_free(others, ierr); CHK

    call MPI_Group_union(MPI_GROUP_EMPTY, MPI_GROUP_EMPTY, group, ierr); CHK
    call describe('empty with empty', group)
    call MPI_Group_free(group, ierr); CHK
    call MPI_Group_incl(MPI_GROUP_EMPTY, 0, none, group, ierr); CHK
    call describe('incl of the empty group', group)
    call MPI_Group_free(group, ierr); CHK

    call MPI_Group_free(self, ierr); CHK
    call MPI_Group_free(world, ierr); CHK
  end subroutine empty_results

  ! The same pseudo-random sequence on every rank (that of random_subsets in groups.c).
  integer function next_random(state)
    integer(kind=8), intent(inout) :: state
    state = modulo(state * 1103515245_8 + 12345_8, 4294967296_8)
    next_random = int(iand(ishft(state, -16), 32767_8))
  end function next_random

  subroutine random_subsets(rounds)
    integer, intent(in) :: rounds
    HANDLE(MPI_Group) :: world, subset, back
    HANDLE(MPI_Comm) :: comm
    integer(kind=8) :: state
    integer :: ranks(MAX_RANKS), ranges(3, MAX_RANKS)
    integer :: round, count, r, in_subset, comm_size, comm_rank, total, result, k
    integer :: created, members_seen, sums
    state = 2024
    created = 0
    members_seen = 0
    sums = 0
    call MPI_Comm_group(MPI_COMM_WORLD, world, ierr); CHK
    do round = 0, rounds - 1
      count = 0
      do r = 0, nranks - 1
        if (mod(next_random(state), 2) == 1) then
          count = count + 1
          ranks(count) = r
        end if
      end do
      ! Reverse the order every other round: group order is rank order in the new comm.
      if (mod(round, 2) == 1) ranks(1:count) = ranks(count:1:-1)
      if (mod(round, 4) == 2) then
        ! The same members as one-rank triplets (first = last, stride -1).
        do k = 1, count
          ranges(:, k) = [ranks(k), ranks(k), -1]
        end do
        call MPI_Group_range_incl(world, count, ranges, subset, ierr); CHK
      else
        call MPI_Group_incl(world, count, ranks, subset, ierr); CHK
      end if
      call MPI_Group_rank(subset, in_subset, ierr); CHK
      if (mod(round, 3) == 0) then
        comm = MPI_COMM_NULL
        if (in_subset /= MPI_UNDEFINED) then
          call MPI_Comm_create_group(MPI_COMM_WORLD, subset, round, comm, ierr); CHK
        end if
      else
        call MPI_Comm_create(MPI_COMM_WORLD, subset, comm, ierr); CHK
      end if
      call check((comm /= MPI_COMM_NULL) .eqv. (in_subset /= MPI_UNDEFINED), &
                 'membership of round ' // str(round), __LINE__)
      if (comm /= MPI_COMM_NULL) then
        call MPI_Comm_size(comm, comm_size, ierr); CHK
        call MPI_Comm_rank(comm, comm_rank, ierr); CHK
        call check_int(comm_size, count, 'size of a created communicator', __LINE__)
        call check_int(comm_rank, in_subset, 'rank in a created communicator', __LINE__)
        call check_int(ranks(comm_rank + 1), rank, 'order of a created communicator', __LINE__)
        call MPI_Allreduce(rank, total, 1, MPI_INTEGER, MPI_SUM, comm, ierr); CHK
        call check_int(total, sum(ranks(1:count)), 'sum over a created communicator', __LINE__)
        call MPI_Comm_group(comm, back, ierr); CHK
        call MPI_Group_compare(back, subset, result, ierr); CHK
        call check_int(result, MPI_IDENT, 'group of a created communicator', __LINE__)
        call MPI_Group_free(back, ierr); CHK
        call MPI_Comm_free(comm, ierr); CHK
        created = created + 1
        members_seen = members_seen + comm_size
        sums = sums + total
      end if
      call MPI_Group_free(subset, ierr); CHK
    end do
    call MPI_Group_free(world, ierr); CHK
    call out('random subsets: ' // str(created) // ' communicators, ' // str(members_seen) // &
             ' members, sum ' // str(sums))
  end subroutine random_subsets

end program groups
