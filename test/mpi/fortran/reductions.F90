#include "binding.h"

! Reduction operations written in Fortran for MPI_Op_create: a commutative saturating sum
! of integers and the non-commutative product of 2x2 integer matrices. Both count the calls
! in which the datatype handle MPI passes them is not the one the reduction was called with.
module reduction_ops
  MPI_USE
#if defined(BINDING_F08)
  use, intrinsic :: iso_c_binding, only: c_ptr, c_f_pointer
#endif
  implicit none
  private
  MPI_INCLUDE

  public :: saturating_add, matrix_product, multiply, matrix_type, wrong_datatypes

  HANDLE(MPI_Datatype) :: matrix_type
  integer :: wrong_datatypes = 0

contains

  subroutine add_saturating(a, b, n)
    integer, intent(in) :: n, a(n)
    integer, intent(inout) :: b(n)
    b = min(a + b, 100)
  end subroutine add_saturating

  ! b = a x b for 2x2 matrices stored row by row: a holds the lower ranks' product.
  subroutine multiply(a, b)
    integer, intent(in) :: a(4)
    integer, intent(inout) :: b(4)
    b = [a(1) * b(1) + a(2) * b(3), a(1) * b(2) + a(2) * b(4), &
         a(3) * b(1) + a(4) * b(3), a(3) * b(2) + a(4) * b(4)]
  end subroutine multiply

  subroutine multiply_all(a, b, n)
    integer, intent(in) :: n, a(4, n)
    integer, intent(inout) :: b(4, n)
    integer :: k
    do k = 1, n
      call multiply(a(:, k), b(:, k))
    end do
  end subroutine multiply_all

#if defined(BINDING_F08)
  subroutine saturating_add(invec, inoutvec, len, datatype)
    type(c_ptr), value :: invec, inoutvec
    integer :: len
    type(MPI_Datatype) :: datatype
    integer, pointer :: a(:), b(:)
    if (datatype /= MPI_INTEGER) wrong_datatypes = wrong_datatypes + 1
    call c_f_pointer(invec, a, [len])
    call c_f_pointer(inoutvec, b, [len])
    call add_saturating(a, b, len)
  end subroutine saturating_add

  subroutine matrix_product(invec, inoutvec, len, datatype)
    type(c_ptr), value :: invec, inoutvec
    integer :: len
    type(MPI_Datatype) :: datatype
    integer, pointer :: a(:, :), b(:, :)
    if (datatype /= matrix_type) wrong_datatypes = wrong_datatypes + 1
    call c_f_pointer(invec, a, [4, len])
    call c_f_pointer(inoutvec, b, [4, len])
    call multiply_all(a, b, len)
  end subroutine matrix_product
#else
  subroutine saturating_add(invec, inoutvec, len, datatype)
    integer :: len, datatype
    integer :: invec(len), inoutvec(len)
    if (datatype /= MPI_INTEGER) wrong_datatypes = wrong_datatypes + 1
    call add_saturating(invec, inoutvec, len)
  end subroutine saturating_add

  subroutine matrix_product(invec, inoutvec, len, datatype)
    integer :: len, datatype
    integer :: invec(4, len), inoutvec(4, len)
    if (datatype /= matrix_type) wrong_datatypes = wrong_datatypes + 1
    call multiply_all(invec, inoutvec, len)
  end subroutine matrix_product
#endif

end module reduction_ops

! Reductions on MPI_COMM_WORLD and on a rank-reversed communicator: Reduce at every root,
! Allreduce, Reduce_scatter(_block), Scan and Exscan, each also with MPI_IN_PLACE, over
! INTEGER with the arithmetic and bitwise operations, LOGICAL with the logical ones,
! DOUBLE PRECISION, the MPI_2INTEGER and MPI_2DOUBLE_PRECISION pairs of MAXLOC and MINLOC,
! and the operations of reduction_ops.
program reductions
  MPI_USE
  use ferry_check
  use reduction_ops
  implicit none
  MPI_INCLUDE

  integer, parameter :: N = 8, MAX_RANKS = 8, INT_OPS = 7, LOGICAL_OPS = 3
  character(len=4), parameter :: int_names(0:INT_OPS - 1) = &
    [character(len=4) :: 'sum', 'prod', 'max', 'min', 'band', 'bor', 'bxor']
  character(len=4), parameter :: logical_names(0:LOGICAL_OPS - 1) = &
    [character(len=4) :: 'land', 'lor', 'lxor']
  HANDLE(MPI_Comm) :: reversed

  call start('reductions')
  call check(world_size() <= MAX_RANKS, 'at most 8 ranks supported', __LINE__)
  call run_all(MPI_COMM_WORLD, 'MPI_COMM_WORLD')
  call MPI_Comm_split(MPI_COMM_WORLD, 0, world_size() - world_rank(), reversed, ierr); CHK
  call run_all(reversed, 'rank-reversed split')
  call MPI_Comm_free(reversed, ierr); CHK
  call finish()

contains

  function int_op(op) result(handle)
    integer, intent(in) :: op
    HANDLE(MPI_Op) :: handle
    select case (op)
    case (0)
      handle = MPI_SUM
    case (1)
      handle = MPI_PROD
    case (2)
      handle = MPI_MAX
    case (3)
      handle = MPI_MIN
    case (4)
      handle = MPI_BAND
    case (5)
      handle = MPI_BOR
    case default
      handle = MPI_BXOR
    end select
  end function int_op

  function logical_op(op) result(handle)
    integer, intent(in) :: op
    HANDLE(MPI_Op) :: handle
    select case (op)
    case (0)
      handle = MPI_LAND
    case (1)
      handle = MPI_LOR
    case default
      handle = MPI_LXOR
    end select
  end function logical_op

  integer function contribution(op, rank, i)
    integer, intent(in) :: op, rank, i
    select case (op)
    case (0)
      contribution = rank * 10 + i
    case (1)
      contribution = mod(rank + i, 3) + 1
    case (2, 3)
      contribution = mod(rank * 7 + i * 3, 11)
    case (4)
      contribution = ior(ishft(i, 4), ishft(3, rank))
    case default
      contribution = ior(ishft(1, rank), ishft(i, 4))
    end select
  end function contribution

  integer function combine(op, a, b)
    integer, intent(in) :: op, a, b
    select case (op)
    case (0)
      combine = a + b
    case (1)
      combine = a * b
    case (2)
      combine = max(a, b)
    case (3)
      combine = min(a, b)
    case (4)
      combine = iand(a, b)
    case (5)
      combine = ior(a, b)
    case default
      combine = ieor(a, b)
    end select
  end function combine

  ! The reduction of ranks first..last (inclusive) of element i.
  integer function expected(op, first, last, i)
    integer, intent(in) :: op, first, last, i
    integer :: r
    expected = contribution(op, first, i)
    do r = first + 1, last
      expected = combine(op, expected, contribution(op, r, i))
    end do
  end function expected

  logical function logical_contribution(op, rank, i)
    integer, intent(in) :: op, rank, i
    select case (op)
    case (0)
      logical_contribution = mod(rank + i, 4) /= 0
    case (1)
      logical_contribution = mod(rank * 3 + i, 5) == 0
    case default
      logical_contribution = mod(rank + i, 3) == 0
    end select
  end function logical_contribution

  logical function logical_expected(op, last, i)
    integer, intent(in) :: op, last, i
    integer :: r
    logical_expected = logical_contribution(op, 0, i)
    do r = 1, last
      select case (op)
      case (0)
        logical_expected = logical_expected .and. logical_contribution(op, r, i)
      case (1)
        logical_expected = logical_expected .or. logical_contribution(op, r, i)
      case default
        logical_expected = logical_expected .neqv. logical_contribution(op, r, i)
      end select
    end do
  end function logical_expected

  subroutine fill(buf, op, rank)
    integer, intent(out) :: buf(:)
    integer, intent(in) :: op, rank
    integer :: i
    do i = 1, size(buf)
      buf(i) = contribution(op, rank, i - 1)
    end do
  end subroutine fill

  function checksum(buf) result(text)
    integer, intent(in) :: buf(:)
    character(len=:), allocatable :: text
    integer(kind=8) :: sum
    integer :: i
    sum = 0
    do i = 1, size(buf)
      sum = modulo(sum * 31 + int(buf(i), 8), 4294967296_8)
    end do
    text = str(int(sum, MPI_ADDRESS_KIND))
  end function checksum

  ! Every rank's copy of a result must be identical.
  subroutine check_identical(comm, buf, what)
    HANDLE(MPI_Comm), intent(in) :: comm
    integer, intent(in) :: buf(:)
    character(len=*), intent(in) :: what
    integer, allocatable :: all_copies(:, :)
    integer :: nranks, r
    call MPI_Comm_size(comm, nranks, ierr); CHK
    allocate (all_copies(size(buf), nranks))
    call MPI_Allgather(buf, size(buf), MPI_INTEGER, all_copies, size(buf), MPI_INTEGER, comm, &
                       ierr); CHK
    do r = 2, nranks
      call check(all(all_copies(:, r) == all_copies(:, 1)), &
                 what // ' differs between rank 0 and rank ' // str(r - 1), __LINE__)
    end do
  end subroutine check_identical

  subroutine run_reduce(comm, rank, nranks)
    HANDLE(MPI_Comm), intent(in) :: comm
    integer, intent(in) :: rank, nranks
    integer :: sent(N), result(N), op, root, i
    do op = 0, INT_OPS - 1
      do root = 0, nranks - 1
        call fill(sent, op, rank)
        result = -1
        if (mod(root, 2) == 1 .and. rank == root) then
          result = sent
          call MPI_Reduce(MPI_IN_PLACE, result, N, MPI_INTEGER, int_op(op), root, comm, ierr)
          CHK
        else
          call MPI_Reduce(sent, result, N, MPI_INTEGER, int_op(op), root, comm, ierr); CHK
        end if
        if (rank /= root) cycle
        do i = 1, N
          call check_int(result(i), expected(op, 0, nranks - 1, i - 1), int_names(op), __LINE__)
        end do
        if (root == 0) call out('reduce ' // trim(int_names(op)) // ': checksum ' // checksum(result))
      end do
    end do
  end subroutine run_reduce

  subroutine run_allreduce(comm, rank, nranks)
    HANDLE(MPI_Comm), intent(in) :: comm
    integer, intent(in) :: rank, nranks
    integer :: sent(N), result(N), op, i
    do op = 0, INT_OPS - 1
      call fill(sent, op, rank)
      call MPI_Allreduce(sent, result, N, MPI_INTEGER, int_op(op), comm, ierr); CHK
      do i = 1, N
        call check_int(result(i), expected(op, 0, nranks - 1, i - 1), int_names(op), __LINE__)
      end do
      call MPI_Allreduce(MPI_IN_PLACE, sent, N, MPI_INTEGER, int_op(op), comm, ierr); CHK
      call check(all(sent == result), 'in-place allreduce ' // trim(int_names(op)), __LINE__)
      call check_identical(comm, result, int_names(op))
      if (rank == 0) call out('allreduce ' // trim(int_names(op)) // ': checksum ' // checksum(result))
    end do
  end subroutine run_allreduce

  subroutine run_logical(comm, rank, nranks)
    HANDLE(MPI_Comm), intent(in) :: comm
    integer, intent(in) :: rank, nranks
    logical :: sent(N), result(N)
    integer :: op, i, root
    do op = 0, LOGICAL_OPS - 1
      do i = 1, N
        sent(i) = logical_contribution(op, rank, i - 1)
      end do
      call MPI_Allreduce(sent, result, N, MPI_LOGICAL, logical_op(op), comm, ierr); CHK
      do i = 1, N
        call check(result(i) .eqv. logical_expected(op, nranks - 1, i - 1), &
                   'allreduce ' // trim(logical_names(op)) // ' element ' // str(i), __LINE__)
      end do
      root = mod(op, nranks)
      call MPI_Reduce(sent, result, N, MPI_LOGICAL, logical_op(op), root, comm, ierr); CHK
      if (rank == root) then
        do i = 1, N
          call check(result(i) .eqv. logical_expected(op, nranks - 1, i - 1), &
                     'reduce ' // trim(logical_names(op)) // ' element ' // str(i), __LINE__)
        end do
      end if
      if (rank == 0) call out('logical ' // trim(logical_names(op)) // ': ' // &
                              str(count(result)) // ' of ' // str(N) // ' true')
    end do
  end subroutine run_logical

  subroutine run_double(comm, rank, nranks)
    HANDLE(MPI_Comm), intent(in) :: comm
    integer, intent(in) :: rank, nranks
    double precision :: sent(N), result(N), want
    integer :: i, r
    do i = 1, N
      sent(i) = rank * 0.5d0 + i * 0.25d0
    end do
    call MPI_Allreduce(sent, result, N, MPI_DOUBLE_PRECISION, MPI_SUM, comm, ierr); CHK
    do i = 1, N
      want = 0
      do r = 0, nranks - 1
        want = want + (r * 0.5d0 + i * 0.25d0)
      end do
      call check(near(result(i), want), 'double precision sum element ' // str(i), __LINE__)
    end do
    if (rank == 0) call out('double precision sum: last ' // str(nint(result(N) * 4)) // '/4')
  end subroutine run_double

  integer function loc_value(rank, i)
    integer, intent(in) :: rank, i
    loc_value = mod(rank * 5 + i * 3, 7)
  end function loc_value

  subroutine run_loc(comm, rank, nranks)
    HANDLE(MPI_Comm), intent(in) :: comm
    integer, intent(in) :: rank, nranks
    integer :: pairs(2, N), result(2, N), i, r, best, other
    double precision :: dpairs(2, N), dresult(2, N)
    logical :: maximum, better
    HANDLE(MPI_Op) :: op
    do i = 1, N
      pairs(:, i) = [loc_value(rank, i), rank]
      dpairs(:, i) = [loc_value(rank, i) * 0.5d0, dble(rank)]
    end do
    do i = 0, 1
      maximum = i == 1
      op = MPI_MINLOC
      if (maximum) op = MPI_MAXLOC
      call MPI_Allreduce(pairs, result, N, MPI_2INTEGER, op, comm, ierr); CHK
      call MPI_Allreduce(dpairs, dresult, N, MPI_2DOUBLE_PRECISION, op, comm, ierr); CHK
      do r = 1, N
        best = 0
        do other = 1, nranks - 1
          if (maximum) then
            better = loc_value(other, r) > loc_value(best, r)
          else
            better = loc_value(other, r) < loc_value(best, r)
          end if
          if (better) best = other
        end do
        call check_int(result(1, r), loc_value(best, r), 'loc value', __LINE__)
        call check_int(result(2, r), best, 'loc index', __LINE__)
        call check(near(dresult(1, r), loc_value(best, r) * 0.5d0), 'double loc value', __LINE__)
        call check(near(dresult(2, r), dble(best)), 'double loc index', __LINE__)
      end do
      call check_identical(comm, reshape(result, [2 * N]), 'loc result')
      if (rank == 0) then
        if (maximum) then
          call out('maxloc 2integer/2double_precision: checksum ' // checksum(reshape(result, [2 * N])))
        else
          call out('minloc 2integer/2double_precision: checksum ' // checksum(reshape(result, [2 * N])))
        end if
      end if
    end do
  end subroutine run_loc

  subroutine rank_matrix(rank, m)
    integer, intent(in) :: rank
    integer, intent(out) :: m(4)
    m = [rank + 1, 1, 1, mod(rank, 2)]
  end subroutine rank_matrix

  subroutine expected_product(first, last, product)
    integer, intent(in) :: first, last
    integer, intent(out) :: product(4)
    integer :: m(4), r
    call rank_matrix(first, product)
    do r = first + 1, last
      call rank_matrix(r, m)
      call multiply(product, m)
      product = m
    end do
  end subroutine expected_product

  subroutine run_user_ops(comm, rank, nranks)
    HANDLE(MPI_Comm), intent(in) :: comm
    integer, intent(in) :: rank, nranks
    HANDLE(MPI_Op) :: saturating, product
    integer :: sent(N), result(N), i, r, acc, root
    integer :: mine(4), got(4), want(4)
    logical :: commutes
    call MPI_Op_create(saturating_add, .true., saturating, ierr); CHK
    call MPI_Op_create(matrix_product, .false., product, ierr); CHK
    call MPI_Op_commutative(saturating, commutes, ierr); CHK
    call check(commutes, 'saturating sum is not commutative', __LINE__)
    call MPI_Op_commutative(product, commutes, ierr); CHK
    call check(.not. commutes, 'matrix product is commutative', __LINE__)
    call MPI_Type_contiguous(4, MPI_INTEGER, matrix_type, ierr); CHK
    call MPI_Type_commit(matrix_type, ierr); CHK
    wrong_datatypes = 0
    do i = 1, N
      sent(i) = rank * 10 + (i - 1) * 9
    end do
    call MPI_Allreduce(sent, result, N, MPI_INTEGER, saturating, comm, ierr); CHK
    do i = 1, N
      acc = (i - 1) * 9
      do r = 1, nranks - 1
        acc = min(acc + r * 10 + (i - 1) * 9, 100)
      end do
      call check_int(result(i), acc, 'commutative user op', __LINE__)
    end do
    call check_identical(comm, result, 'commutative user op')
    call rank_matrix(rank, mine)
    call expected_product(0, nranks - 1, want)
    do root = 0, nranks - 1
      got = -1
      call MPI_Reduce(mine, got, 1, matrix_type, product, root, comm, ierr); CHK
      if (rank == root) call check(all(got == want), 'matrix product at root', __LINE__)
    end do
    call MPI_Allreduce(mine, got, 1, matrix_type, product, comm, ierr); CHK
    call check(all(got == want), 'allreduce matrix product', __LINE__)
    call MPI_Scan(mine, got, 1, matrix_type, product, comm, ierr); CHK
    call expected_product(0, rank, want)
    call check(all(got == want), 'scan matrix product', __LINE__)
    call check_int(wrong_datatypes, 0, 'user op calls with another datatype', __LINE__)
    if (rank == 0) call out('user ops: saturating sum checksum ' // checksum(result) // &
                            ', matrix product ok')
    call MPI_Op_free(saturating, ierr); CHK
    call MPI_Op_free(product, ierr); CHK
    call check(product == MPI_OP_NULL, 'Op_free did not null the handle', __LINE__)
    call MPI_Type_free(matrix_type, ierr); CHK
  end subroutine run_user_ops

  subroutine run_reduce_scatter(comm, rank, nranks)
    HANDLE(MPI_Comm), intent(in) :: comm
    integer, intent(in) :: rank, nranks
    integer :: sent(2 * MAX_RANKS), got(2 * MAX_RANKS), counts(MAX_RANKS), offset, k, r
    do k = 1, 2 * nranks
      sent(k) = contribution(0, rank, k - 1)
    end do
    call MPI_Reduce_scatter_block(sent, got, 2, MPI_INTEGER, MPI_SUM, comm, ierr); CHK
    do k = 1, 2
      call check_int(got(k), expected(0, 0, nranks - 1, 2 * rank + k - 1), &
                     'reduce_scatter_block', __LINE__)
    end do
    got = sent
    call MPI_Reduce_scatter_block(MPI_IN_PLACE, got, 2, MPI_INTEGER, MPI_SUM, comm, ierr); CHK
    do k = 1, 2
      call check_int(got(k), expected(0, 0, nranks - 1, 2 * rank + k - 1), &
                     'in-place reduce_scatter_block', __LINE__)
    end do
    offset = 0
    do r = 0, nranks - 1
      counts(r + 1) = mod(r, 2) + 1
      if (r < rank) offset = offset + counts(r + 1)
    end do
    call MPI_Reduce_scatter(sent, got, counts, MPI_INTEGER, MPI_SUM, comm, ierr); CHK
    do k = 1, counts(rank + 1)
      call check_int(got(k), expected(0, 0, nranks - 1, offset + k - 1), 'reduce_scatter', __LINE__)
    end do
    got = sent
    call MPI_Reduce_scatter(MPI_IN_PLACE, got, counts, MPI_INTEGER, MPI_SUM, comm, ierr); CHK
    do k = 1, counts(rank + 1)
      call check_int(got(k), expected(0, 0, nranks - 1, offset + k - 1), &
                     'in-place reduce_scatter', __LINE__)
    end do
    if (rank == 0) call out('reduce_scatter, reduce_scatter_block (also in-place): ok')
  end subroutine run_reduce_scatter

  subroutine run_scan(comm, rank)
    HANDLE(MPI_Comm), intent(in) :: comm
    integer, intent(in) :: rank
    integer :: sent(N), got(N), op, i
    do op = 0, INT_OPS - 1
      call fill(sent, op, rank)
      call MPI_Scan(sent, got, N, MPI_INTEGER, int_op(op), comm, ierr); CHK
      do i = 1, N
        call check_int(got(i), expected(op, 0, rank, i - 1), 'scan', __LINE__)
      end do
      got = sent
      call MPI_Scan(MPI_IN_PLACE, got, N, MPI_INTEGER, int_op(op), comm, ierr); CHK
      do i = 1, N
        call check_int(got(i), expected(op, 0, rank, i - 1), 'in-place scan', __LINE__)
      end do
      call MPI_Exscan(sent, got, N, MPI_INTEGER, int_op(op), comm, ierr); CHK
      do i = 1, N
        if (rank > 0) call check_int(got(i), expected(op, 0, rank - 1, i - 1), 'exscan', __LINE__)
      end do
      got = sent
      call MPI_Exscan(MPI_IN_PLACE, got, N, MPI_INTEGER, int_op(op), comm, ierr); CHK
      do i = 1, N
        if (rank > 0) call check_int(got(i), expected(op, 0, rank - 1, i - 1), &
                                     'in-place exscan', __LINE__)
      end do
    end do
    if (rank == 0) call out('scan, exscan (also in-place) with every integer op: ok')
  end subroutine run_scan

  subroutine run_all(comm, label)
    HANDLE(MPI_Comm), intent(in) :: comm
    character(len=*), intent(in) :: label
    integer :: rank, nranks
    call MPI_Comm_rank(comm, rank, ierr); CHK
    call MPI_Comm_size(comm, nranks, ierr); CHK
    if (rank == 0) call out('-- ' // label // ', size ' // str(nranks))
    call run_reduce(comm, rank, nranks)
    call run_allreduce(comm, rank, nranks)
    call run_logical(comm, rank, nranks)
    call run_double(comm, rank, nranks)
    call run_loc(comm, rank, nranks)
    call run_user_ops(comm, rank, nranks)
    call run_reduce_scatter(comm, rank, nranks)
    call run_scan(comm, rank)
    call out_flush()
  end subroutine run_all

end program reductions
