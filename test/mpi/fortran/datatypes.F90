#include "binding.h"

! Variables that messages reach only through their absolute addresses (sent from and
! received into MPI_BOTTOM). Module variables: the compiler cannot keep them in registers
! across the MPI calls that touch them without naming them.
module bottom_data
  implicit none
  integer, target :: out_ints(3), in_ints(3)
  double precision, target :: out_real, in_real
  character(len=8), target :: out_text, in_text
end module bottom_data

! Derived datatypes sent between every pair of ranks and received as the same type, as a
! packed MPI_BYTE stream and as a packed MPI_INTEGER stream, with Get_count and
! Get_elements; a struct of absolute addresses sent from MPI_BOTTOM; an array of a Fortran
! derived type described with MPI_Get_address; MPI_Pack and MPI_Unpack.
program datatypes
  MPI_USE
  use ferry_check
  use bottom_data
  use, intrinsic :: iso_c_binding, only: c_int, c_double
  implicit none
  MPI_INCLUDE

  integer, parameter :: MAX_UNITS = 16, COPIES = 2, BUFFER_INTS = 128, SENTINEL = 1515870810
  integer, parameter :: CASE_COUNT = 11, AS_TYPE = 0, AS_BYTES = 1, AS_INTS = 2

  ! A datatype and its type map written out by hand: the byte offsets of its 4-byte units
  ! in type-map order, its extent, and how many basic elements one copy holds.
  type type_case
    character(len=32) :: name
    HANDLE(MPI_Datatype) :: type
    integer :: units
    integer :: unit_offsets(MAX_UNITS)
    integer(kind=MPI_ADDRESS_KIND) :: extent
    integer :: elements
    logical :: ints_only
  end type type_case

  type, bind(c) :: particle
    integer(c_int) :: id
    real(c_double) :: position(3)
  end type particle

  type(type_case) :: cases(CASE_COUNT)
  integer :: rank, nranks, i

  call start('datatypes')
  rank = world_rank()
  nranks = world_size()
  call build_simple_cases()
  call build_composite_cases()
  if (rank == 0) call out('world size ' // str(nranks))
  do i = 1, CASE_COUNT
    call run_case(cases(i))
  end do
  do i = 1, CASE_COUNT
    call MPI_Type_free(cases(i)%type, ierr); CHK
  end do
  call check(cases(1)%type == MPI_DATATYPE_NULL, 'Type_free did not null the handle', __LINE__)
  call check_bottom()
  call check_derived_type_array()
  call check_pack()
  call out('all datatype cases verified on this rank')
  call finish()

contains

  subroutine set_case(index, name, type, offsets, extent, elements, ints_only)
    integer, intent(in) :: index, offsets(:), elements
    character(len=*), intent(in) :: name
    HANDLE(MPI_Datatype), intent(in) :: type
    integer, intent(in) :: extent
    logical, intent(in) :: ints_only
    cases(index)%name = name
    cases(index)%type = type
    call MPI_Type_commit(cases(index)%type, ierr); CHK
    cases(index)%units = size(offsets)
    cases(index)%unit_offsets = -1
    cases(index)%unit_offsets(1:size(offsets)) = offsets
    cases(index)%extent = extent
    cases(index)%elements = elements
    cases(index)%ints_only = ints_only
  end subroutine set_case

  function make_indexed() result(type)
    HANDLE(MPI_Datatype) :: type
    call MPI_Type_indexed(3, [1, 3, 2], [0, 4, 9], MPI_INTEGER, type, ierr); CHK
  end function make_indexed

  subroutine build_simple_cases()
    HANDLE(MPI_Datatype) :: t
    call MPI_Type_contiguous(5, MPI_INTEGER, t, ierr); CHK
    call set_case(1, 'contiguous', t, [0, 4, 8, 12, 16], 20, 5, .true.)
    call MPI_Type_vector(3, 2, 4, MPI_INTEGER, t, ierr); CHK
    call set_case(2, 'vector', t, [0, 4, 16, 20, 32, 36], 40, 6, .true.)
    call MPI_Type_create_hvector(3, 2, 20_MPI_ADDRESS_KIND, MPI_INTEGER, t, ierr); CHK
    call set_case(3, 'hvector', t, [0, 4, 20, 24, 40, 44], 48, 6, .true.)
    call set_case(4, 'indexed', make_indexed(), [0, 16, 20, 24, 36, 40], 44, 6, .true.)
    call MPI_Type_create_hindexed(3, [2, 1, 2], [4_MPI_ADDRESS_KIND, 24_MPI_ADDRESS_KIND, &
                                  40_MPI_ADDRESS_KIND], MPI_INTEGER, t, ierr); CHK
    call set_case(5, 'hindexed', t, [4, 8, 24, 40, 44], 44, 5, .true.)
    call MPI_Type_create_indexed_block(3, 2, [1, 5, 10], MPI_INTEGER, t, ierr); CHK
    call set_case(6, 'indexed_block', t, [4, 8, 20, 24, 40, 44], 44, 6, .true.)
  end subroutine build_simple_cases

  subroutine build_composite_cases()
    HANDLE(MPI_Datatype) :: t, strided, inner, members(3)
    members(1) = MPI_INTEGER
    members(2) = MPI_DOUBLE_PRECISION
    members(3) = MPI_INTEGER
    call MPI_Type_create_struct(3, [1, 1, 3], [0_MPI_ADDRESS_KIND, 8_MPI_ADDRESS_KIND, &
                                16_MPI_ADDRESS_KIND], members, t, ierr); CHK
    call set_case(7, 'struct', t, [0, 8, 12, 16, 20, 24], 32, 5, .false.)
    ! The block of rows 2-3, columns 3-5 of a 4x6 array in C order is the block of rows 3-5,
    ! columns 2-3 of a 6x4 array in Fortran order.
    call MPI_Type_create_subarray(2, [6, 4], [3, 2], [2, 1], MPI_ORDER_FORTRAN, MPI_INTEGER, t, &
                                  ierr); CHK
    call set_case(8, 'subarray fortran order', t, [32, 36, 40, 56, 60, 64], 96, 6, .true.)
    call MPI_Type_create_subarray(2, [4, 6], [2, 3], [1, 2], MPI_ORDER_C, MPI_INTEGER, t, ierr)
    CHK
    call set_case(9, 'subarray c order', t, [32, 36, 40, 56, 60, 64], 96, 6, .true.)
    call MPI_Type_vector(2, 1, 3, MPI_INTEGER, strided, ierr); CHK
    call MPI_Type_create_resized(strided, 0_MPI_ADDRESS_KIND, 20_MPI_ADDRESS_KIND, t, ierr); CHK
    call MPI_Type_free(strided, ierr); CHK
    call set_case(10, 'resized', t, [0, 12], 20, 2, .true.)
    inner = make_indexed()
    call MPI_Type_create_hvector(2, 1, 48_MPI_ADDRESS_KIND, inner, t, ierr); CHK
    call MPI_Type_free(inner, ierr); CHK
    call set_case(11, 'nested hvector of indexed', t, &
                  [0, 16, 20, 24, 36, 40, 48, 64, 68, 72, 84, 88], 92, 12, .true.)
  end subroutine build_composite_cases

  integer function source_value(sender, unit)
    integer, intent(in) :: sender, unit
    source_value = sender * 100000 + unit + 1
  end function source_value

  subroutine fill_source(buf, sender)
    integer, intent(out) :: buf(0:BUFFER_INTS - 1)
    integer, intent(in) :: sender
    integer :: i
    do i = 0, BUFFER_INTS - 1
      buf(i) = source_value(sender, i)
    end do
  end subroutine fill_source

  ! The int of the buffer that unit u (from 1) of copy c (from 0) of the type map lands on.
  integer function unit_index(c, copy, u)
    type(type_case), intent(in) :: c
    integer, intent(in) :: copy, u
    unit_index = int((copy * c%extent + c%unit_offsets(u)) / 4)
  end function unit_index

  subroutine check_layout(c)
    type(type_case), intent(in) :: c
    integer(kind=MPI_ADDRESS_KIND) :: lb, extent
    integer :: type_size
    call MPI_Type_get_extent(c%type, lb, extent, ierr); CHK
    call check(extent == c%extent, trim(c%name) // ': extent ' // str(extent), __LINE__)
    call MPI_Type_size(c%type, type_size, ierr); CHK
    call check_int(type_size, c%units * 4, trim(c%name) // ': size', __LINE__)
  end subroutine check_layout

  ! A typed receive writes exactly the type map's units of every copy and nothing else.
  subroutine check_typed(c, received, sender)
    type(type_case), intent(in) :: c
    integer, intent(in) :: received(0:BUFFER_INTS - 1), sender
    integer :: expected(0:BUFFER_INTS - 1), copy, u, index, i
    expected = SENTINEL
    do copy = 0, COPIES - 1
      do u = 1, c%units
        index = unit_index(c, copy, u)
        expected(index) = source_value(sender, index)
      end do
    end do
    do i = 0, BUFFER_INTS - 1
      if (received(i) /= expected(i)) &
        call fail(__LINE__, trim(c%name) // ' from ' // str(sender) // ': int ' // str(i) // &
                  ' is ' // str(received(i)) // ', expected ' // str(expected(i)))
    end do
  end subroutine check_typed

  ! A packed receive holds the type map's units in order, copy after copy.
  subroutine check_packed(c, received, sender)
    type(type_case), intent(in) :: c
    integer, intent(in) :: received(0:BUFFER_INTS - 1), sender
    integer :: copy, u
    do copy = 0, COPIES - 1
      do u = 1, c%units
        call check_int(received(copy * c%units + u - 1), &
                       source_value(sender, unit_index(c, copy, u)), trim(c%name), __LINE__)
      end do
    end do
  end subroutine check_packed

  subroutine check_counts(c, st, sender)
    type(type_case), intent(in) :: c
    STATUS_T, intent(in) :: STATUS_VAR(st)
    integer, intent(in) :: sender
    integer :: count
    call check_int(STATUS_SOURCE(st), sender, 'source of a typed message', __LINE__)
    count = -1
    call MPI_Get_count(st, c%type, count, ierr); CHK
    call check_int(count, COPIES, trim(c%name) // ': Get_count', __LINE__)
    call MPI_Get_elements(st, c%type, count, ierr); CHK
    call check_int(count, COPIES * c%elements, trim(c%name) // ': Get_elements', __LINE__)
    call MPI_Get_count(st, MPI_BYTE, count, ierr); CHK
    call check_int(count, COPIES * c%units * 4, trim(c%name) // ': Get_count bytes', __LINE__)
  end subroutine check_counts

  subroutine exchange(c, as, step)
    type(type_case), intent(in) :: c
    integer, intent(in) :: as, step
    integer :: outgoing(0:BUFFER_INTS - 1), incoming(0:BUFFER_INTS - 1)
    integer :: dst, src, tag, count, got
    HANDLE(MPI_Datatype) :: stream
    STATUS_T :: STATUS_VAR(st)
    dst = mod(rank + step, nranks)
    src = mod(rank + nranks - step, nranks)
    call fill_source(outgoing, rank)
    incoming = SENTINEL
    tag = 10 * step + as
    if (as == AS_TYPE) then
      call MPI_Sendrecv(outgoing, COPIES, c%type, dst, tag, incoming, COPIES, c%type, src, tag, &
                        MPI_COMM_WORLD, st, ierr); CHK
      call check_typed(c, incoming, src)
      call check_counts(c, st, src)
      return
    end if
    if (as == AS_BYTES) then
      stream = MPI_BYTE
      count = COPIES * c%units * 4
    else
      stream = MPI_INTEGER
      count = COPIES * c%units
    end if
    call MPI_Sendrecv(outgoing, COPIES, c%type, dst, tag, incoming, count, stream, src, tag, &
                      MPI_COMM_WORLD, st, ierr); CHK
    call check_packed(c, incoming, src)
    got = -1
    call MPI_Get_count(st, stream, got, ierr); CHK
    call check_int(got, count, trim(c%name) // ': Get_count of the stream', __LINE__)
  end subroutine exchange

  ! One more int than a whole number of copies: Get_count is undefined, Get_elements exact.
  subroutine check_partial(c)
    type(type_case), intent(in) :: c
    integer :: outgoing(0:BUFFER_INTS - 1), incoming(0:BUFFER_INTS - 1)
    integer :: dst, src, sent, count
    STATUS_T :: STATUS_VAR(st)
    dst = mod(rank + 1, nranks)
    src = mod(rank + nranks - 1, nranks)
    call fill_source(outgoing, rank)
    incoming = SENTINEL
    sent = c%units + 1
    call MPI_Sendrecv(outgoing, sent, MPI_INTEGER, dst, 5, incoming, COPIES, c%type, src, 5, &
                      MPI_COMM_WORLD, st, ierr); CHK
    count = 0
    call MPI_Get_count(st, c%type, count, ierr); CHK
    call check_int(count, MPI_UNDEFINED, trim(c%name) // ': Get_count of a partial copy', __LINE__)
    call MPI_Get_elements(st, c%type, count, ierr); CHK
    call check_int(count, sent, trim(c%name) // ': Get_elements of a partial copy', __LINE__)
    call check_int(incoming(unit_index(c, 1, 1)), source_value(src, c%units), &
                   trim(c%name) // ': first unit of the partial copy', __LINE__)
  end subroutine check_partial

  subroutine run_case(c)
    type(type_case), intent(in) :: c
    integer :: step
    character(len=:), allocatable :: how
    call check_layout(c)
    do step = 1, nranks - 1
      call exchange(c, AS_TYPE, step)
      call exchange(c, AS_BYTES, step)
      if (c%ints_only) call exchange(c, AS_INTS, step)
    end do
    how = ', bytes'
    if (c%ints_only) then
      call check_partial(c)
      how = ', bytes, ints, partial'
    end if
    if (rank == 0) call out(trim(c%name) // ': size ' // str(c%units * 4) // ' extent ' // &
                            str(c%extent) // ' elements ' // str(c%elements) // ', typed' // &
                            how // ' from every peer: ok')
  end subroutine run_case

  ! Three variables of different types described by their absolute addresses.
  function absolute_struct(ints, real_value, text) result(type)
    integer, intent(in), target :: ints(3)
    double precision, intent(in), target :: real_value
    character(len=8), intent(in), target :: text
    HANDLE(MPI_Datatype) :: type, members(3)
    integer(kind=MPI_ADDRESS_KIND) :: addresses(3)
    call MPI_Get_address(ints, addresses(1), ierr); CHK
    call MPI_Get_address(real_value, addresses(2), ierr); CHK
    call MPI_Get_address(text, addresses(3), ierr); CHK
    members(1) = MPI_INTEGER
    members(2) = MPI_DOUBLE_PRECISION
    members(3) = MPI_CHARACTER
    call MPI_Type_create_struct(3, [3, 1, 8], addresses, members, type, ierr); CHK
    call MPI_Type_commit(type, ierr); CHK
  end function absolute_struct

  subroutine check_bottom()
    HANDLE(MPI_Datatype) :: outgoing, incoming
    STATUS_T :: STATUS_VAR(st)
    integer :: next, prev, count
    next = mod(rank + 1, nranks)
    prev = mod(rank + nranks - 1, nranks)
    out_ints = [rank, rank * 2, rank * 3]
    out_real = rank + 0.5d0
    write (out_text, '(a, i0)') 'rank ', rank
    in_ints = -1
    in_real = -1
    in_text = '????????'
    outgoing = absolute_struct(out_ints, out_real, out_text)
    incoming = absolute_struct(in_ints, in_real, in_text)
    call MPI_Sendrecv(MPI_BOTTOM, 1, outgoing, next, 80, MPI_BOTTOM, 1, incoming, prev, 80, &
                      MPI_COMM_WORLD, st, ierr); CHK
    call MPI_Get_elements(st, incoming, count, ierr); CHK
    call check_int(count, 12, 'Get_elements of the absolute struct', __LINE__)
    call check(all(in_ints == [prev, prev * 2, prev * 3]), 'integers through MPI_BOTTOM', __LINE__)
    call check(near(in_real, prev + 0.5d0), 'double precision through MPI_BOTTOM', __LINE__)
    call check(in_text == 'rank ' // str(prev), 'characters through MPI_BOTTOM: ' // in_text, &
               __LINE__)
    call MPI_Type_free(outgoing, ierr); CHK
    call MPI_Type_free(incoming, ierr); CHK
    call out('MPI_BOTTOM struct from ' // str(prev) // ': ints ' // str(sum(in_ints)) // &
             ', real ' // str(nint(in_real * 2)) // '/2, text "' // trim(in_text) // '"')
  end subroutine check_bottom

  ! An array of a Fortran derived type: member displacements from MPI_Get_address, the
  ! extent resized to the distance between two elements; every other element sent.
  subroutine check_derived_type_array()
    type(particle), target :: outgoing(6), incoming(3)
    HANDLE(MPI_Datatype) :: members(2), loose, one, every_other
    integer(kind=MPI_ADDRESS_KIND) :: base, addresses(2), next_element, lb, extent
    integer :: next, prev, k
    next = mod(rank + 1, nranks)
    prev = mod(rank + nranks - 1, nranks)
    do k = 1, 6
      outgoing(k)%id = rank * 10 + k
      outgoing(k)%position = [rank + k * 0.25d0, -1d0 * k, dble(rank)]
    end do
    incoming = particle(-1, [-1d0, -1d0, -1d0])
    call MPI_Get_address(outgoing(1), base, ierr); CHK
    call MPI_Get_address(outgoing(1)%id, addresses(1), ierr); CHK
    call MPI_Get_address(outgoing(1)%position, addresses(2), ierr); CHK
    call MPI_Get_address(outgoing(2), next_element, ierr); CHK
    addresses = addresses - base
    members(1) = MPI_INTEGER
    members(2) = MPI_DOUBLE_PRECISION
    call MPI_Type_create_struct(2, [1, 3], addresses, members, loose, ierr); CHK
    call MPI_Type_create_resized(loose, 0_MPI_ADDRESS_KIND, next_element - base, one, ierr); CHK
    call MPI_Type_free(loose, ierr); CHK
    call MPI_Type_get_extent(one, lb, extent, ierr); CHK
    call check(extent == next_element - base, 'extent of the resized particle type', __LINE__)
    call MPI_Type_create_resized(one, 0_MPI_ADDRESS_KIND, 2 * extent, every_other, ierr); CHK
    call MPI_Type_commit(one, ierr); CHK
    call MPI_Type_commit(every_other, ierr); CHK
    call MPI_Sendrecv(outgoing, 3, every_other, next, 81, incoming, 3, one, prev, 81, &
                      MPI_COMM_WORLD, MPI_STATUS_IGNORE, ierr); CHK
    do k = 1, 3
      call check_int(incoming(k)%id, prev * 10 + 2 * k - 1, 'particle id', __LINE__)
      call check(all(near(incoming(k)%position, [prev + (2 * k - 1) * 0.25d0, &
                                                 -1d0 * (2 * k - 1), dble(prev)])), &
                 'particle position', __LINE__)
    end do
    call MPI_Type_free(one, ierr); CHK
    call MPI_Type_free(every_other, ierr); CHK
    call out('derived type array from ' // str(prev) // ': ids ' // str(incoming(1)%id) // ' ' // &
             str(incoming(2)%id) // ' ' // str(incoming(3)%id))
  end subroutine check_derived_type_array

  subroutine check_pack()
    character(len=1) :: packed(256)
    integer :: position, packed_size, bound, next, prev, ints(4), got_ints(4)
    double precision :: real_value, got_real
    logical :: flags(3), got_flags(3)
    STATUS_T :: STATUS_VAR(st)
    next = mod(rank + 1, nranks)
    prev = mod(rank + nranks - 1, nranks)
    ints = [rank, rank + 1, rank + 2, rank + 3]
    real_value = rank * 1.25d0
    flags = [mod(rank, 2) == 0, .true., .false.]
    call MPI_Pack_size(4, MPI_INTEGER, MPI_COMM_WORLD, bound, ierr); CHK
    call MPI_Pack_size(1, MPI_DOUBLE_PRECISION, MPI_COMM_WORLD, packed_size, ierr); CHK
    bound = bound + packed_size
    call MPI_Pack_size(3, MPI_LOGICAL, MPI_COMM_WORLD, packed_size, ierr); CHK
    bound = bound + packed_size
    call check(bound <= size(packed), 'Pack_size bound ' // str(bound), __LINE__)
    position = 0
    call MPI_Pack(ints, 4, MPI_INTEGER, packed, size(packed), position, MPI_COMM_WORLD, ierr); CHK
    call MPI_Pack(real_value, 1, MPI_DOUBLE_PRECISION, packed, size(packed), position, &
                  MPI_COMM_WORLD, ierr); CHK
    call MPI_Pack(flags, 3, MPI_LOGICAL, packed, size(packed), position, MPI_COMM_WORLD, ierr); CHK
    call check(position > 0 .and. position <= bound, 'packed size ' // str(position), __LINE__)
    packed_size = position
    call MPI_Sendrecv_replace(packed, size(packed), MPI_PACKED, next, 82, prev, 82, &
                              MPI_COMM_WORLD, st, ierr); CHK
    call MPI_Get_count(st, MPI_PACKED, position, ierr); CHK
    call check_int(position, size(packed), 'Get_count of MPI_PACKED', __LINE__)
    position = 0
    call MPI_Unpack(packed, size(packed), position, got_ints, 4, MPI_INTEGER, MPI_COMM_WORLD, &
                    ierr); CHK
    call MPI_Unpack(packed, size(packed), position, got_real, 1, MPI_DOUBLE_PRECISION, &
                    MPI_COMM_WORLD, ierr); CHK
    call MPI_Unpack(packed, size(packed), position, got_flags, 3, MPI_LOGICAL, MPI_COMM_WORLD, &
                    ierr); CHK
    call check_int(position, packed_size, 'position after unpacking', __LINE__)
    call check(all(got_ints == [prev, prev + 1, prev + 2, prev + 3]), 'unpacked integers', &
               __LINE__)
    call check(near(got_real, prev * 1.25d0), 'unpacked double precision', __LINE__)
    call check(all(got_flags .eqv. [mod(prev, 2) == 0, .true., .false.]), 'unpacked logicals', &
               __LINE__)
    call out('pack/unpack from ' // str(prev) // ': ints sum ' // str(sum(got_ints)) // &
             ', real ' // str(nint(got_real * 4)) // '/4, ' // str(count(got_flags)) // ' true')
  end subroutine check_pack

end program datatypes
